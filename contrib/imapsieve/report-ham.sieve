require ["vnd.dovecot.pipe", "copy", "imapsieve", "environment", "variables"];
# Runs when a message leaves Junk; moved to Trash it is not ham.
if environment :matches "imap.mailbox" "*" {
  set "mailbox" "${1}";
}
if string "${mailbox}" "Trash" {
  stop;
}
pipe :copy "learn-ham.sh";
