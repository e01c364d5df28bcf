module github.com/wechatpay-biz/wechatpay-biz-go

go 1.24

require github.com/wechatpay-apiv3/wechatpay-go v0.2.21

require github.com/jarcoal/httpmock v1.4.1

require (
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/redis/go-redis/v9 v9.20.1 // indirect
	go.uber.org/atomic v1.11.0 // indirect
)

require (
	github.com/davecgh/go-spew v1.1.1 // indirect
	github.com/pmezard/go-difflib v1.0.0 // indirect
	github.com/stretchr/testify v1.11.1
	gopkg.in/yaml.v3 v3.0.1 // indirect
)
