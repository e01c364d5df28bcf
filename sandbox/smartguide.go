package sandbox

// smartGuideState is the sandbox's smartguide state. Guarded by its own mutex; never
// held while doing I/O.
type smartGuideState struct{}

// installSmartGuide registers the smartguide endpoints.
func (s *Server) installSmartGuide() {}
