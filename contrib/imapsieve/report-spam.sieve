require ["vnd.dovecot.pipe", "copy", "imapsieve"];
# Runs when a message is copied or moved into Junk (imapsieve_mailboxN_causes = COPY).
pipe :copy "learn-spam.sh";
