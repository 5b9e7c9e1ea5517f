# Local platform. Scripts in scripts/; they work from any directory.
.PHONY: help up down demo test bench images fmt lint logs

help:
	@echo "make up     run the whole platform locally (PostgreSQL, Redis, tansu, six services)"
	@echo "make down   stop what make up started"
	@echo "make demo   with the platform up: Flow A by two applications, every step printed and checked"
	@echo "make test   every test: unit, integration (real PostgreSQL/Redis/broker), end to end"
	@echo "make bench  throughput: the platform (release, limits raised) under every load scenario, one table"
	@echo "make images one OCI image per service (buildah, FROM scratch, non-root), tagged by revision"
	@echo "make fmt    format the code"
	@echo "make lint   cargo fmt --check, clippy -D warnings, Kubernetes manifests rendered and validated"
	@echo "make logs   follow the logs of what make up started"

## Run the whole platform locally; the API is then at http://127.0.0.1:8080/api.
up:
	@bash scripts/up.sh

## Stop what `make up` started.
down:
	@bash scripts/down.sh

## With the platform up: Flow A of the guide by two applications (tools/demo); exits 0 only if
## every step held.
demo:
	@bash scripts/demo.sh $(ARGS)

## Unit, integration (real PostgreSQL/Redis/broker) and end-to-end tests.
test:
	@bash scripts/test.sh

## Benchmarks (never part of make test): brings the platform up, runs loadgen bench, stops it.
bench:
	@bash scripts/bench.sh

## One OCI image per service (deploy/images/Containerfile): idaas/<service>:<revision>.
images:
	@bash scripts/images.sh

fmt:
	cargo fmt --all

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	bash scripts/k8s-validate.sh

logs:
	@ls .run/logs/*.log >/dev/null 2>&1 || { echo "no logs yet in .run/logs (make up first)"; exit 1; }
	tail -n 50 -F .run/logs/*.log
