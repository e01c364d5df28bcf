package partner

import (
	"encoding/json"

	"github.com/wechatpay-biz/wechatpay-biz-go/core"
	"github.com/wechatpay-biz/wechatpay-biz-go/payscore"
)

// ServiceOrder is a sub-merchant's service order as QueryOrder returns it
// and as the PAYSCORE.USER_CONFIRM and PAYSCORE.USER_PAID callbacks carry
// it: the order entity of the direct API (payscore.ServiceOrder) plus the
// sub-merchant fields. In partner mode its MchID is the service provider's
// merchant ID and its AppID the provider's AppID. Refund a deduction with
// Collection.Details[i].TransactionID, never with OutOrderNo.
type ServiceOrder struct {
	payscore.ServiceOrder
	// SubMchID is the sub-merchant (特约商户号) the order's money goes to.
	SubMchID string `json:"sub_mchid"`
	// SubAppID is the sub-merchant's AppID, when the order was created with
	// one.
	SubAppID string `json:"sub_appid,omitempty"`
	// SubOpenID is the user's OpenID under SubAppID, when known.
	SubOpenID string `json:"sub_openid,omitempty"`
}

// OrderResponse is the service order returned by QueryOrder.
type OrderResponse struct {
	core.ResponseMeta `json:"-"`
	ServiceOrder
}

// Permission is a user's authorization of a service provider's service for
// one sub-merchant: the record of the direct API (payscore.Permission, whose
// MchID is here the service provider's merchant ID and AppID the provider's
// AppID) plus the sub-merchant fields.
type Permission struct {
	payscore.Permission
	// SubMchID is the sub-merchant the authorization is for.
	SubMchID string `json:"sub_mchid"`
	// SubAppID is the sub-merchant's AppID, when the authorization was
	// made under one.
	SubAppID string `json:"sub_appid,omitempty"`
	// SubOpenID is the user's OpenID under SubAppID.
	SubOpenID string `json:"sub_openid,omitempty"`
}

// PermissionResponse is returned by QueryPermissionByOpenID and
// QueryPermissionByAuthorizationCode.
type PermissionResponse struct {
	core.ResponseMeta `json:"-"`
	Permission
}

// TerminatePermissionResponse is the answer of the terminate calls: 204 No
// Content.
type TerminatePermissionResponse struct {
	core.ResponseMeta `json:"-"`
}

// The write calls on an order (cancel, modify, complete, pay, sync) answer
// 204 No Content (spec §9.8–§9.12). Some WeChat Pay deployments and older
// documentation answer 200 with the order instead: such a body is verified
// and decoded into Order rather than refused.

// CancelOrderResponse is the answer to CancelOrder. Order is nil after the
// documented 204 No Content; when WeChat Pay answers 200 with a body it
// holds what the body echoes (appid, mchid, service_id, out_order_no,
// order_id).
type CancelOrderResponse struct {
	core.ResponseMeta `json:"-"`
	// Order is nil after a 204 answer (see the type's documentation).
	Order *ServiceOrder `json:"-"`
}

// UnmarshalJSON decodes a 200 body into Order.
func (r *CancelOrderResponse) UnmarshalJSON(b []byte) error { return decodeOrder(&r.Order, b) }

// ModifyOrderResponse is the answer to ModifyOrder. Order is nil after the
// documented 204 No Content, and the order when WeChat Pay answers 200 with
// it. Query the order (QueryOrder) for its state.
type ModifyOrderResponse struct {
	core.ResponseMeta `json:"-"`
	// Order is nil after a 204 answer (see the type's documentation).
	Order *ServiceOrder `json:"-"`
}

// UnmarshalJSON decodes a 200 body into Order.
func (r *ModifyOrderResponse) UnmarshalJSON(b []byte) error { return decodeOrder(&r.Order, b) }

// CompleteOrderResponse is the answer to CompleteOrder. Order is nil after
// the documented 204 No Content, and the order when WeChat Pay answers 200
// with it. Query the order (QueryOrder) for its state.
type CompleteOrderResponse struct {
	core.ResponseMeta `json:"-"`
	// Order is nil after a 204 answer (see the type's documentation).
	Order *ServiceOrder `json:"-"`
}

// UnmarshalJSON decodes a 200 body into Order.
func (r *CompleteOrderResponse) UnmarshalJSON(b []byte) error { return decodeOrder(&r.Order, b) }

// PayOrderResponse is the answer to PayOrder. Order is nil after the
// documented 204 No Content; when WeChat Pay answers 200 with a body it
// holds what the body echoes.
type PayOrderResponse struct {
	core.ResponseMeta `json:"-"`
	// Order is nil after a 204 answer (see the type's documentation).
	Order *ServiceOrder `json:"-"`
}

// UnmarshalJSON decodes a 200 body into Order.
func (r *PayOrderResponse) UnmarshalJSON(b []byte) error { return decodeOrder(&r.Order, b) }

// SyncOrderResponse is the answer to SyncOrder. Order is nil after the
// documented 204 No Content, and the order when WeChat Pay answers 200 with
// it.
type SyncOrderResponse struct {
	core.ResponseMeta `json:"-"`
	// Order is nil after a 204 answer (see the type's documentation).
	Order *ServiceOrder `json:"-"`
}

// UnmarshalJSON decodes a 200 body into Order.
func (r *SyncOrderResponse) UnmarshalJSON(b []byte) error { return decodeOrder(&r.Order, b) }

func decodeOrder(dst **ServiceOrder, b []byte) error {
	o := new(ServiceOrder)
	if err := json.Unmarshal(b, o); err != nil {
		return err
	}
	*dst = o
	return nil
}
