#!/bin/sh
test -f /srv/api/api.conf && test -f /srv/worker/worker.conf && echo e2e ok
