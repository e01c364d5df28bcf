module github.com/wechatpay-biz/wechatpay-biz-go/bench

go 1.24

require (
	github.com/go-pay/gopay v1.5.115
	github.com/wechatpay-apiv3/wechatpay-go v0.2.21
	github.com/wechatpay-biz/wechatpay-biz-go v0.0.0
)

require (
	github.com/go-pay/crypto v0.0.1 // indirect
	github.com/go-pay/errgroup v0.0.3 // indirect
	github.com/go-pay/smap v0.0.2 // indirect
	github.com/go-pay/util v0.0.4 // indirect
	github.com/go-pay/xlog v0.0.3 // indirect
	github.com/go-pay/xtime v0.0.2 // indirect
)

replace github.com/wechatpay-biz/wechatpay-biz-go => ../
