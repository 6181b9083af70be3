#!/bin/sh
# Dovecot IMAPSieve: a message moved out of Junk, on stdin, learned as ham.
exec sparsetext learn --ham - >/dev/null
