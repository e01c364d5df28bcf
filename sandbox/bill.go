package sandbox

// billState is the sandbox's bill state. Guarded by its own mutex; never
// held while doing I/O.
type billState struct{}

// installBill registers the bill endpoints.
func (s *Server) installBill() {}
