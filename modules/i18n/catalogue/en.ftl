# The course's messages in English: the source every other catalogue
# translates. An id names where the message is shown: test-* by
# `cargo xtask test`, spec-* by a failing spec, list-*, hint-*, services-*,
# watch-* by those commands, service-* when a service is missing.
# `cargo xtask verify` fails when the code uses a message this file lacks, or
# this file has one the code does not use.

## cargo xtask test

test-edit = edit: { $file }
test-hint = hint: cargo xtask hint { $id }
test-check-ok = ok    { $check }
test-check-failed = FAIL  { $check }
test-passes = { $id } passes: { $count ->
        [one] its one check
       *[other] all { $count } checks
    }. Next: { $next }.
test-some-pass = { $id }: { $passed } of { $count } checks pass. Edit { $file }, then run `cargo xtask test { $id }` again; a hint: `cargo xtask hint { $id }`.
test-does-not-compile = { $file } does not compile yet: the first error is above. Fix it and run `cargo xtask test { $id }` again.
test-service-missing = { $service } is missing: `cargo xtask services` says how to get one.
test-progress-not-recorded = warning: could not record progress: { $error }

## A failing spec

spec-not-passing = not passing yet
spec-file-to-edit = file to edit: { $file }
spec-hint = a hint:       cargo xtask hint { $id }
spec-not-in-course = (not in course.toml)
spec-todo = not yet implemented (the stub's `todo!()`): { $what }
spec-stuck = the check `{ $check }` did not finish: { $how }.

    Likely cause: { $cause }
spec-stuck-simulated = it was still waiting after { $minutes } minutes of simulated time (the spec runs on tokio's paused clock, which jumps ahead whenever every task waits) and was stopped
spec-stuck-real = it was still running after { $seconds } s and was stopped
spec-stuck-general-cause = a wait that never ends, or a loop that never gives up: does every wait have a deadline, and does a waiting task wake when what it waits for happens?
spec-no-verdict = the spec's thread ended without a verdict
spec-cancelled = a task of the spec was cancelled: { $error }
spec-panic-not-text = the spec panicked with a value that is not text

## The specs' explanations

spec-01-1-once = a new counter incremented once should read 1, not { $got }
spec-01-1-lost = expected { $expected } after { $tasks } tasks x { $increments } increments, got { $got }: { $lost } increments lost
spec-01-2-account-created = account { $account } was created
spec-01-2-first-version = new accounts start at version 1
spec-01-2-current-commit = a commit at the current version must succeed
spec-01-2-commit-bumps = a commit writes the value and bumps the version
spec-01-2-stale-refused = a write computed from version 1 must be refused once a is at version 2
spec-01-2-refused-writes-nothing = a refused commit must not write
spec-01-2-mixed-refused = a commit with one stale write must be refused
spec-01-2-all-or-nothing = a commit is all or nothing: when b's write is stale, a must not change either
spec-01-2-missing-key = a write to a missing key is a conflict with no actual version
spec-01-2-racing-lost = { $threads } threads each committed `value + 1` { $commits } times from the version they had read; { $succeeded } commits reported success but the value is { $value }: { $lost } successful commits were lost. Two commits from the same version both passed the check: check and write under one lock, in one critical section
spec-01-2-one-attempt = an uncontended transfer takes one attempt
spec-01-2-moved = 30 moved from a to b
spec-01-2-unexpected-error = transfer { $from } -> { $to } of { $amount } failed with { $error }, which valid input never should
spec-01-2-total = the accounts held { $before } in all before the transfers and { $after } after: { $difference } was { $change ->
        [created] created
       *[destroyed] destroyed
    } by lost updates
spec-01-2-balances = after { $moved } successful transfers the balances should be { $expected }, they are { $actual }: a transfer that reported success was lost, or one that reported failure was applied
spec-01-2-negative = a balance went negative: { $actual }
spec-01-2-too-few = only { $moved } of { $attempted } transfers went through ({ $errors }): retry conflicts up to MAX_ATTEMPTS times
spec-01-3-free-taken = a free resource can be taken
spec-01-3-expires = a lease of 30 s must expire 30 s from now
spec-01-3-held = a held resource cannot be taken again
spec-01-3-another-free = another resource is free
spec-01-3-forged = a lease with another token must not release
spec-01-3-refused-release = a refused release must leave the lock held
spec-01-3-own-token = every lease needs its own token
spec-01-3-owner-releases = the owner may release
spec-01-3-released-twice = a lease released once cannot release again
spec-01-3-released-taken = a released resource can be taken
spec-01-3-still-held = 9 s into a 10 s lease the resource is still held
spec-01-3-expired-taken = 11 s into a 10 s lease the lease has expired and the resource can be taken
spec-01-3-expired-release = the expired holder's release must be refused: it would free the new holder's lock
spec-01-3-new-holder = the new holder still holds the resource
spec-01-3-times-out = waiting 1 s for a resource held 60 s must time out
spec-01-3-gives-up = a wait of 1 s must give up after 1 s, it took { $took }
spec-01-3-waiter-gets = the waiter must get the resource once it is released
spec-01-3-wake-on-release = the resource was released at 5 s but the waiter got it at { $took }: wake waiters on release
spec-01-3-free-on-expiry = the resource must come free when the 10 s lease expires
spec-01-3-wake-on-expiry = the holder's lease ran out 10 s after it was taken, 5 s ago or so; the waiter got it after { $took }
spec-01-3-turn = with a wait of a minute every task gets its turn (each holds for 10 ms)
spec-01-3-releases-own = a holder releases its own lease
spec-01-3-overlaps = { $overlaps } times a task took the lock while another held it
spec-01-3-value = { $tasks } holders each added one, the value is { $value }
spec-01-4-zero = a quantity of 0 must be refused with InvalidQuantity
spec-01-4-unknown = a product that does not exist must be refused with UnknownProduct
spec-01-4-not-enough = 3 units of a product with 2 in stock must be refused with OutOfStock { "{" } available: 2 { "}" }
spec-01-4-last-units = reserving the 2 units of a product with 2 in stock must succeed, got { $got }
spec-01-4-sold-out = with nothing left a reservation must be refused with OutOfStock { "{" } available: 0 { "}" }
spec-01-4-buyer-failed = round { $round }: a buyer failed with `{ $error }`; with stock left a buyer must get an order, without it OutOfStock
spec-01-4-mix-single = 1 unit each
spec-01-4-mix-mixed = 3, 6 or 9 units each
spec-01-4-oversold = round { $round }: { $ordered } units ordered of { $stock } in stock: { $oversold } units oversold ({ $buyers } buyers at once, { $mix })
spec-01-4-out-of-step = round { $round }: buyers were told they got { $told } units, the orders hold { $ordered } units and reserved = { $reserved }: the orders and the reservation went out of step ({ $mix })
spec-01-4-wrongly-sold-out = round { $round }: buyer-{ $buyer } asked for { $asked } units and was told they were sold out, but { $left } are still there
spec-01-4-orders = round 1: expected { $stock } orders of one unit for { $stock } units, got { $got }
spec-01-4-waited = reserve waited 2 s on a locked row: set lock_timeout in the transaction so it gives up after 200 ms
spec-01-4-not-busy = while another transaction holds the row, reserve must fail with Busy after its lock timeout, got { $got } (does it lock the row with SELECT ... FOR UPDATE?)
spec-01-4-timed-out-writes-nothing = a reservation that timed out must write nothing
spec-01-4-after-free = once the row is free the reservation goes through, got { $got }
spec-01-6-invalid-stars = a rating of { $stars } stars must be refused with InvalidStars
spec-01-6-unknown = a book that does not exist must be refused with UnknownBook
spec-01-6-one-ok = one rating of an existing book must succeed
spec-01-6-one-counted = one rating of 4: count 1, sum 4
spec-01-6-failed = round { $round }: { $failed } of { $raters } ratings failed, the first with `{ $first }`: retry a conflict with backoff
spec-01-6-lost = round { $round }: { $raters } ratings summing to { $expected } were all reported saved, but the book shows count { $count } and sum { $sum }: { $lost } ratings lost
spec-01-7-status = { $what }: expected { $expected }, got { $got }
spec-01-7-problem = { $what }: the error must be an application/problem+json document with "status": { $status }, got { $content_type } { $body }
spec-01-7-get-seeded = GET of a seeded document
spec-01-7-get-content = GET answers the document's content
spec-01-7-etag-header = GET must answer an ETag header
spec-01-7-etag-quoted = an ETag is a quoted string, got { $got }
spec-01-7-get-unknown = GET of an unknown document
spec-01-7-put-no-if-match = PUT without If-Match
spec-01-7-put-stale = PUT with an If-Match that is not the current ETag
spec-01-7-put-malformed = PUT with malformed JSON
spec-01-7-put-unknown = PUT to an unknown document
spec-01-7-refused-unchanged = refused writes must leave the document and its ETag as they were
spec-01-7-put-current = PUT with the current ETag must succeed
spec-01-7-new-etag = a successful PUT answers the new ETag
spec-01-7-etag-changes = a write must change the ETag
spec-01-7-get-new-etag = GET answers the ETag the PUT returned
spec-01-7-put-lost-update = a second PUT with the ETag read before the first PUT (the lost update)
spec-01-7-if-match-any = If-Match: * matches any current document
spec-01-7-racing = round { $round }: { $writers } writers sent the same If-Match at once: expected 1 success and { $expected_refused } x 412, got { $successes } successes and { $refused } x 412; { $overwritten } edits were silently overwritten
spec-01-7-winner-content = round { $round }: the document must hold the content of the one writer that was told it won
spec-01-8-not-expiring = the lock taken for { $ttl } is still there after { $waited }: set PX on it
spec-01-8-free-taken = a free lock can be taken
spec-01-8-ttl = the lock key must expire within the 30 s asked for (PTTL { $ttl }): SET ... NX PX
spec-01-8-held = a held lock cannot be taken again
spec-01-8-stranger-release = a release by someone who does not hold the lock must be refused (a plain DEL frees anybody's lock)
spec-01-8-refused-release = the refused release left the lock held
spec-01-8-holder-releases = the holder may release
spec-01-8-released-taken = a released lock can be taken
spec-01-8-larger-fence = each acquisition gets a larger fence: { $first } then { $second }
spec-01-8-expired-taken = once the paused holder's lease expired, the lock can be taken
spec-01-8-new-fence-larger = the new holder's fence must be larger
spec-01-8-late-write = the paused holder's write with an old fence must be refused
spec-01-8-stored-new = the stored value must be the new holder's
spec-01-8-late-release = the paused holder's release must be refused
spec-01-8-new-holder = the new holder still holds the lock
spec-01-8-first-write = the first write, fence 0, is accepted
spec-01-8-never-got = a task never got the lock in { $tries } tries
spec-01-8-holder-write = the holder's write is accepted
spec-01-8-releases-own = the holder releases its own lock
spec-01-8-count = { $tasks } holders each added one
spec-01-8-fence-order = the holders, in the order they held the lock, had fences { $fences }: each must be larger than the one before
spec-01-8-sent-nothing = the call sent nothing to Redis within 5 s
spec-01-8-proxy = a connection through the pausing proxy
spec-01-8-pause-acquire = a client paused inside acquire while another took the lock with fence { $first } and released it; then the paused client took the lock with fence { $second }, smaller than the holder's before it, so its writes are refused while it holds the lock. Draw the fence only once the lock is yours, in the same script as the SET NX
spec-01-8-lease-ran-out = once the lease ran out the lock can be taken
spec-01-8-pause-release = a client checked that it held the lock, paused until its lease ran out and another took it, then deleted the lock: it freed the new holder's lock. Compare and delete in one script
spec-01-8-newest-write = the newest holder's write is accepted
spec-01-8-pause-write = a write with fence { $older } read the stored fence, paused while the holder with fence { $newer } wrote, then wrote over it: the old fence won. Compare and write in one script

## cargo xtask hint

hint-heading = a hint
hint-then = Edit { $file }, then `cargo xtask test { $id }`. Still stuck? `cargo xtask solution { $id }`.

## cargo xtask list

list-done = done
list-tried = tried
list-summary = { $done } of { $total } exercises done.
list-next = Next: `cargo xtask test { $id }`.
list-all-done = All done. `cargo xtask demo 01 --impl exercise --load 100` runs your code live.
list-needs = { $id }: needs { $service }; `cargo xtask services` says how to get it

## cargo xtask services, and a test that needs a service none answers

services-found = found { $found }
services-all = Every exercise can run. Next: `cargo xtask list`.
services-some-missing = In-memory exercises run without services; `cargo xtask list` shows which need what.
service-found-env = { $name } at { $url } (from { $var })
service-found-local = { $name } at { $url } (on the default local port)
service-missing = { $name } is needed here and none answered.
service-tried = tried { $what }
service-not-set = { $var } (not set)
service-docker-answers = Docker: an engine answers, and `cargo xtask` would start a container
service-docker-none = Docker: no engine (no DOCKER_HOST, no /var/run/docker.sock)
service-ways = Get one in any of these ways:
service-set-postgres = set { $var }=postgres://USER:PASSWORD@HOST:5432/postgres (a user that may CREATE DATABASE)
service-run-postgres = run PostgreSQL on 127.0.0.1:5432 with user postgres and trust auth, e.g. `docker run -d -p 5432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust postgres:16`
service-set-rabbitmq = set { $var }=amqp://USER:PASSWORD@HOST:5672/%2f
service-run-rabbitmq = run RabbitMQ on 127.0.0.1:5672 with guest/guest, e.g. `rabbitmq-server -detached` or `docker run -d -p 5672:5672 rabbitmq:3`
service-set-redis = set { $var }=redis://HOST:6379
service-run-redis = run Redis on 127.0.0.1:6379, e.g. `redis-server --daemonize yes` or `docker run -d -p 6379:6379 redis:7`
service-docker = start a Docker engine and run the tests through `cargo xtask` (test, list, verify, demo): it starts a throwaway container with testcontainers and sets { $var } for them
service-see = `cargo xtask services` shows what is found.

## cargo xtask watch

watch-heading = racecourse watch: { $id }, { $file } · run { $runs } · { $trigger } · h hint · l list · n next · q quit
watch-trigger-enter = Enter runs
watch-trigger-save = saving runs
watch-passes = { $id } passes. Enter: go on to { $next } · q: quit
watch-all-done = { $id } passes, and every exercise is done. q: quit
watch-back = Enter: back to the exercise

## cargo xtask solution, reset; errors

solution-not-tried = { $id } is not tried yet: run `cargo xtask test { $id }` first (or `cargo xtask solution { $id } --force` to see it anyway)
solution-diff = That is { $theirs }, as a diff from your { $mine } (- yours, + the solution's).
reset-nothing = { $path } is as shipped already: nothing to reset.
reset-ask = Put { $path } back as shipped ({ $from })? Your version is kept beside it. [y/N]
reset-unchanged = Nothing changed.
reset-done = { $path } is back as shipped; your version is in { $keep }.
reset-no-git = git does not know { $path }: `cargo xtask reset` needs the course as a git clone
cannot-read = cannot read { $path }: { $error }
no-such-exercise = there is no exercise { $id }; there are { $ids }
progress-unknown = note: .racecourse-progress names exercise { $id }, which this course does not have; it is ignored
error = error: { $error }
