module github.com/wechatpay-biz/wechatpay-biz-go

go 1.24

require github.com/wechatpay-apiv3/wechatpay-go v0.2.21

require github.com/stretchr/testify v1.11.1 // indirect
