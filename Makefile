# wechatpay-biz-go — the two commands a user needs: `make demo` and `make test`.
GO ?= go

.PHONY: all test demo vet fmt-check bench fuzz

all: test

## test: gofmt check, go vet and every test with the race detector. The
## Redis tests (notify/redisdedup) run against a real redis-server started on
## a loopback port for the run (scripts/with-redis.sh); without redis-server
## on the PATH they are skipped, and the script says so. The race detector
## needs cgo and a C compiler; without them the tests run without -race, and
## one line says so.
test: fmt-check vet
	@cc=$$($(GO) env CC); if [ "$$($(GO) env CGO_ENABLED)" = "1" ] && command -v $${cc%% *} >/dev/null 2>&1; then \
		echo "$(GO) test -race -count=1 ./..."; ./scripts/with-redis.sh $(GO) test -race -count=1 ./...; \
	else \
		echo "make test: no C compiler or cgo disabled, so the race detector is unavailable: running the tests without -race"; \
		CGO_ENABLED=0 ./scripts/with-redis.sh $(GO) test -count=1 ./...; \
	fi

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

EXAMPLES := $(filter-out examples/quickstart/,$(sort $(dir $(wildcard examples/*/main.go))))

## demo: run every example against the embedded sandbox (no credentials, no
## network). examples/quickstart is the README's Quick start, which reads
## WECHATPAY_* variables only: examples/internal/sandboxenv starts a sandbox
## and sets them. examples/tour walks every product; the others run one each.
demo:
	@set -e; echo "== examples/quickstart/ (the README's Quick start)"; \
	$(GO) run ./examples/internal/sandboxenv $(GO) run ./examples/quickstart; \
	for d in $(EXAMPLES); do echo "== $$d"; $(GO) run ./$$d; done

## bench: side-by-side benchmarks (wechatpay-biz-go, wechatpay-go, gopay and
## a hand-written floor), BENCHCOUNT interleaved runs of every benchmark
## (BENCH filters them) summarised as medians with ratios to the floor, in
## bench/summary.md. bench/ is its own module: wechatpay-go and gopay are
## never dependencies of the SDK itself.
BENCHCOUNT ?= 5
BENCHTIME ?= 1s
BENCH ?= .
bench:
	cd bench && $(GO) test -c -o bench.test . && \
	for i in $$(seq $(BENCHCOUNT)); do ./bench.test -test.run '^$$' -test.bench '$(BENCH)' -test.benchmem -test.benchtime $(BENCHTIME); done | tee bench.out && \
	$(GO) run ./summarize < bench.out | tee summary.md

## fuzz: run each fuzz target for FUZZTIME (their seed corpora run in `make test`).
FUZZTIME ?= 30s
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeAPIError$$' -fuzztime $(FUZZTIME) ./core
	$(GO) test -run '^$$' -fuzz '^FuzzVerifySignature$$' -fuzztime $(FUZZTIME) ./core
	$(GO) test -run '^$$' -fuzz '^FuzzParseBytes$$' -fuzztime $(FUZZTIME) ./notify
	$(GO) test -run '^$$' -fuzz '^FuzzParseAuthorization$$' -fuzztime $(FUZZTIME) ./sandbox
	$(GO) test -run '^$$' -fuzz '^FuzzReaders$$' -fuzztime $(FUZZTIME) ./bill
	$(GO) test -run '^$$' -fuzz '^FuzzReuseRow$$' -fuzztime $(FUZZTIME) ./bill
