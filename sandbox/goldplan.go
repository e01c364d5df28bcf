package sandbox

// goldPlanState is the sandbox's goldplan state. Guarded by its own mutex; never
// held while doing I/O.
type goldPlanState struct{}

// installGoldPlan registers the goldplan endpoints.
func (s *Server) installGoldPlan() {}
