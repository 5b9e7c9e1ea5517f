.PHONY: up down test fmt lint logs

## Run the whole platform locally (PostgreSQL, Redis, tansu, six services).
up:
	@scripts/up.sh

## Stop what `make up` started.
down:
	@scripts/down.sh

## Unit, integration (real PostgreSQL/Redis/broker) and end-to-end tests.
test:
	@scripts/test.sh

fmt:
	cargo fmt --all

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings

logs:
	@tail -n 50 -F .run/logs/*.log
