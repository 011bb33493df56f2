//go:build !unix

package clickpaysim

// lockState does nothing where the operating system has no flock: run one
// process a sandbox state there.
func (s *Server) lockState() func() { return func() {} }
