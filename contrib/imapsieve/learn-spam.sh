#!/bin/sh
# Dovecot IMAPSieve: a message moved into Junk, on stdin, learned as spam.
# Called by report-spam.sieve (pipe :copy "learn-spam.sh"); the model is the
# user's default (~/.local/share/sparsetext/spam.model) or $SPARSETEXT_MODEL.
exec sparsetext learn --spam - >/dev/null
