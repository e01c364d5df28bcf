package sandbox

// payScoreState is the sandbox's payscore state. Guarded by its own mutex; never
// held while doing I/O.
type payScoreState struct{}

// installPayScore registers the payscore endpoints.
func (s *Server) installPayScore() {}
