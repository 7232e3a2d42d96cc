# The runner's messages in English, the source every other language's
# catalogue translates (catalogue/en/ holds English's files: this one, and a
# spec-NN.ftl per module for its specs' explanations). An id names where the
# message is shown: test-* by `cargo xtask test`, spec-* by a failing spec,
# list-*, hint-*, services-*, watch-* by those commands, service-* when a
# service is missing. `cargo xtask verify` fails when the code uses a message
# English lacks, or English has one the code does not use.

## cargo xtask test

test-edit = edit: { $file }
test-hint = hint: cargo xtask hint { $id }
test-builds-on = builds on: { $id }, your code in { $file }, which runs here too: make { $id } pass first
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
spec-todo = not yet implemented: { $what }
spec-stuck = the check `{ $check }` did not finish: { $how }.

    Likely cause: { $cause }
spec-stuck-simulated = it was still waiting after { $minutes } minutes of simulated time (the spec runs on tokio's paused clock, which jumps ahead whenever every task waits) and was stopped
spec-stuck-real = it was still running after { $seconds } s and was stopped
spec-stuck-general-cause = a wait that never ends, or a loop that never gives up: does every wait have a deadline, and does a waiting task wake when what it waits for happens?
spec-no-verdict = the spec's thread ended without a verdict
spec-cancelled = a task of the spec was cancelled: { $error }
spec-panic-not-text = the spec panicked with a value that is not text

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
