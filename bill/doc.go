// Package bill applies for, downloads, verifies and parses WeChat Pay bills
// (账单): the daily trade bill, the fund-flow bill and a service provider's
// per-sub-merchant fund-flow bill.
//
// The flow is apply → download → verify → parse:
//
//	svc := bill.NewService(client)
//	resp, err := svc.TradeBill(ctx, &bill.TradeBillRequest{
//		BillDate: bill.Yesterday(time.Now()),
//		TarType:  core.Ptr(bill.TarTypeGzip),
//	})
//	// Write to a temporary file, check the SHA-1, then rename.
//	_, err = svc.DownloadToFile(ctx, resp.DownloadRequest(), "trade.csv")
//	f, _ := os.Open("trade.csv")
//	r := bill.NewTradeBillReader(f)
//	for row, err := range r.All() { ... }
//	sum := r.Summary()
//
// Downloads are streamed: gzip files are decompressed and encrypted
// sub-merchant files decrypted on the fly, the SHA-1 of the decompressed
// content is checked against hash_value (ErrHashMismatch otherwise), and a
// size cap guards memory and disk. The readers parse one line at a time, so
// memory does not grow with the bill. Set ReuseRow on a reader to have every
// Read fill in the same row instead of allocating one (as encoding/csv's
// ReuseRecord does): copy a row you keep past the next Read.
//
// Every request type has an exported Validate, which the methods call
// first: it lists every problem in a *core.ValidationError, by query
// parameter name, and nothing is sent when it fails. Call it yourself to
// reject a bad form early.
//
// Amounts in bill files are yuan strings; the readers turn them into int64
// fen exactly, and the five-decimal fee column into Fee (1/100000 yuan).
// Times are read in Asia/Shanghai, and bill dates are the Date type, which
// formats as yyyy-MM-dd.
package bill
