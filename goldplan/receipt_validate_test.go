package goldplan_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/goldplan"
)

func TestReceiptRequestValidate(t *testing.T) {
	var nilReq *goldplan.ReceiptRequest
	var ve *core.ValidationError
	require.True(t, errors.As(nilReq.Validate(), &ve))
	require.True(t, ve.Has("request"))

	ok := &goldplan.ReceiptRequest{SubMchID: "1900000109", OutTradeNo: "1217752501201407033233368018", CheckCode: strings.Repeat("a1", 16)}
	require.NoError(t, ok.Validate())
	require.Zero(t, testing.AllocsPerRun(100, func() { _ = ok.Validate() }), "a valid request allocates nothing")

	require.True(t, errors.As((&goldplan.ReceiptRequest{}).Validate(), &ve))
	for _, f := range []string{"sub_mch_id", "out_trade_no", "check_code"} {
		require.True(t, ve.Has(f), f)
	}
	bad := &goldplan.ReceiptRequest{SubMchID: "19/00", OutTradeNo: "../x", CheckCode: "zz"}
	err := bad.Validate()
	require.True(t, errors.As(err, &ve))
	require.Len(t, ve.Problems, 3)
	require.NotContains(t, err.Error(), "../x")
}
