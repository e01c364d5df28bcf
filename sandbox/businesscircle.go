package sandbox

// businessCircleState is the sandbox's businesscircle state. Guarded by its own mutex; never
// held while doing I/O.
type businessCircleState struct{}

// installBusinessCircle registers the businesscircle endpoints.
func (s *Server) installBusinessCircle() {}
