# wechatpay-biz-go — the two commands a user needs: `make demo` and `make test`.
GO ?= go

.PHONY: all test demo vet fmt-check bench fuzz

all: test

## test: gofmt check, go vet and every test with the race detector.
test: fmt-check vet
	$(GO) test -race -count=1 ./...

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

## demo: run the examples against the embedded sandbox (no credentials, no network).
demo:
	$(GO) run ./examples/tour
