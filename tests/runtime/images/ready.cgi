#!/bin/sh
if [ -e /tmp/not-ready ]; then
  printf 'Status: 503 Not Ready\r\nContent-Type: text/plain\r\n\r\nnot ready\n'
else
  printf 'Content-Type: text/plain\r\n\r\nready\n'
fi
