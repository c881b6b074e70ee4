#!/usr/bin/env python3
"""A do-nothing SMTP server for benchmarks: accepts every mail, keeps none, and writes how many it
has received to COUNT_FILE, so run-all.sh can tell when the confirmation mails are all out.
Usage: smtp-sink.py PORT COUNT_FILE (Python 3.11 or older: it uses the standard smtpd module)."""
import asyncore
import sys
import warnings

warnings.filterwarnings("ignore", category=DeprecationWarning)
import smtpd  # noqa: E402


class CountingSink(smtpd.SMTPServer):
    def __init__(self, port, count_file):
        super().__init__(("127.0.0.1", port), None, decode_data=False)
        self.count = 0
        self.count_file = count_file
        self.write()

    def write(self):
        with open(self.count_file, "w") as f:
            f.write(str(self.count))

    def process_message(self, peer, mailfrom, rcpttos, data, **kwargs):
        self.count += 1
        self.write()


if __name__ == "__main__":
    CountingSink(int(sys.argv[1]), sys.argv[2])
    asyncore.loop(timeout=1)
