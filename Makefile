# The commands the README names. Each installs what it needs first.
.PHONY: run test dev setup bench

run:   ## build a release and serve it on ./data/hindsight.db at http://127.0.0.1:3000
	.ci/serve

test:  ## every test: unit, service, router, PostgreSQL (with TEST_POSTGRES_URL), end-to-end
	.ci/test

dev:   ## rebuild and reload on every change
	.ci/setup
	PATH="$$PWD/node_modules/.bin:$$PATH" cargo leptos watch --split

setup: ## install the toolchain pieces (wasm target, cargo-leptos, wasm-bindgen, npm packages)
	.ci/setup --browser

bench: ## seed 10k, 100k and 1M incidents once, load the release server with wrk, print figures
	.ci/bench
