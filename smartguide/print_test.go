package smartguide_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/internal/wiretest"
	"github.com/wechatpay-biz/wechatpay-biz-go/smartguide"
)

// Personal values of the print tests.
const (
	printName   = "欧阳PRINT"
	printMobile = "13712345678"
)

var printPersonal = []string{printName, printMobile}

// Every type holding a name or mobile prints them masked in every way Go
// prints a value and shows the rest: guide, store and user IDs, URLs, the
// page counts and the Request-ID.
func TestEveryTypePrintsNamesAndMobilesMasked(t *testing.T) {
	meta := core.ResponseMeta{StatusCode: 200, RequestID: "print-request-id"}
	guide := smartguide.Guide{GuideID: "PRINTGUIDE01", StoreID: store, Name: printName, Mobile: printMobile,
		NameCiphertext: "PRINTNAMECT", MobileCiphertext: "PRINTMOBILECT", UserID: "print-user", WorkID: "W042"}
	for _, tc := range []struct {
		v       any
		visible []string
	}{
		{*registerReq("print-user", printName, printMobile), []string{"print-user", corpID, "1234", qrURL}},
		{registerReq("print-user", printName, printMobile), []string{"print-user", corpID}},
		{smartguide.UpdateRequest{GuideID: "PRINTGUIDE01", Name: core.Ptr(printName), Mobile: core.Ptr(printMobile)}, []string{"PRINTGUIDE01"}},
		{&smartguide.UpdateRequest{GuideID: "PRINTGUIDE01", Mobile: core.Ptr(printMobile)}, []string{"PRINTGUIDE01"}},
		{smartguide.QueryRequest{StoreID: store, Mobile: core.Ptr(printMobile)}, []string{"1234"}},
		{guide, []string{"PRINTGUIDE01", "1234", "PRINTNAMECT", "PRINTMOBILECT", "print-user", "W042"}},
		{&guide, []string{"PRINTGUIDE01", "print-user"}},
		{smartguide.QueryResponse{ResponseMeta: meta, TotalCount: 7, Limit: 5, Data: []smartguide.Guide{guide, guide}}, []string{"print-request-id", "PRINTGUIDE01", "print-user"}},
		{&smartguide.QueryResponse{ResponseMeta: meta}, []string{"print-request-id"}},
	} {
		wiretest.RequireMasked(t, tc.v, printPersonal, tc.visible)
	}
	// The requests still send the plaintext to be encrypted, and a guide's
	// JSON holds only the ciphertexts.
	wiretest.RequireOnWire(t, registerReq("print-user", printName, printMobile), `"name":"`+printName+`"`, `"mobile":"`+printMobile+`"`)
	wiretest.RequireOnWire(t, smartguide.UpdateRequest{Name: core.Ptr(printName)}, `"name":"`+printName+`"`)
	wiretest.RequireOnWire(t, guide, `"name":"PRINTNAMECT"`, `"mobile":"PRINTMOBILECT"`)
	printed := wiretest.Printed(smartguide.QueryResponse{ResponseMeta: meta, TotalCount: 7, Data: []smartguide.Guide{guide}})
	assert.Contains(t, printed["%+v"], "TotalCount:7 Limit:0 Offset:0 Data:[{GuideID:PRINTGUIDE01 StoreID:1234 Name:*** Mobile:***")
	assert.Contains(t, printed["slog JSON"], `"Data":{"0":{"GuideID":"PRINTGUIDE01","StoreID":1234,"Name":"***","Mobile":"***"`)
}

// Guides decrypted from the sandbox's signed answers, one page at a time or
// through QueryAll, keep the name and mobile in their fields and print them
// masked.
func TestDecryptedGuidesPrintMasked(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	id := register(t, e, "print-user", printName, printMobile)
	register(t, e, "print-other", "诸葛PRINT", "13987654321")
	personal := append(printPersonal, "诸葛PRINT", "13987654321")

	resp, err := e.svc.Query(ctx, &smartguide.QueryRequest{SubMchID: core.Ptr(subMch), StoreID: store})
	require.NoError(t, err)
	require.Len(t, resp.Data, 2)
	require.Equal(t, printName, resp.Data[0].Name)
	require.Equal(t, printMobile, resp.Data[0].Mobile)
	wiretest.RequireMasked(t, resp, personal, []string{resp.RequestID, id, "print-user", "print-other"})

	n := 0
	for g, err := range e.svc.QueryAll(ctx, &smartguide.QueryRequest{SubMchID: core.Ptr(subMch), StoreID: store, Limit: core.Ptr(1)}) {
		require.NoError(t, err)
		require.NotEmpty(t, g.Mobile)
		wiretest.RequireMasked(t, g, personal, []string{g.GuideID, g.UserID})
		n++
	}
	require.Equal(t, 2, n)
}

// Every type of the package that holds a field its personal list names, or
// a type that does, prints through the list.
func TestEveryPersonalTypeMasks(t *testing.T) {
	got := wiretest.RequireEveryPersonalTypeMasks(t, ".")
	require.Equal(t, []string{"Guide", "QueryRequest", "QueryResponse", "RegisterRequest", "UpdateRequest"}, got)
}
