package headless

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Build runs the repository's build.sh into dir, the way a user builds
// the app, and returns what it printed.
func Build(ctx context.Context, repo, dir string) (string, error) {
	cmd := exec.CommandContext(ctx, "bash", "build.sh", dir)
	cmd.Dir = repo
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("build.sh: %w\n%s", err, out)
	}
	return string(out), nil
}

// Server is the app's own server (the repository's root package, `go run
// .`) serving a built folder on a free loopback port, in its own process
// group.
type Server struct {
	URL string // http://127.0.0.1:PORT
	cmd *exec.Cmd
	log Record[string]
}

// Serve builds the app's server into tmp and starts it on dist with
// -build=false. Close stops it.
func Serve(ctx context.Context, repo, dist, tmp string) (*Server, error) {
	bin := filepath.Join(tmp, "alexnet-web")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	build.Dir = repo
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("build the app server: %w\n%s", err, out)
	}
	s := &Server{cmd: exec.Command(bin, "-addr", "127.0.0.1:0", "-dir", dist, "-build=false")}
	s.cmd.Dir = repo
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stderr, err := s.cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	// The server logs "serving DIR on http://ADDR/" once it listens, then
	// a line a request.
	addr := make(chan string, 1)
	go s.read(stderr, addr)
	select {
	case s.URL = <-addr:
		return s, nil
	case <-time.After(60 * time.Second):
		s.Close()
		return nil, fmt.Errorf("the app server did not start: %s", strings.Join(s.Log(), "\n"))
	}
}

func (s *Server) read(r io.Reader, addr chan<- string) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if i := strings.Index(line, " on http://"); i >= 0 && strings.Contains(line, "serving") {
			select {
			case addr <- strings.TrimSuffix(line[i+len(" on "):], "/"):
			default:
			}
			continue
		}
		s.log.Add(line)
	}
}

// Log is what the server printed after it started: a line a request
// ("ADDR METHOD "URI" STATUS SIZE TIME").
func (s *Server) Log() []string { return s.log.All() }

// Close kills the server's process group; it can be called again.
func (s *Server) Close() {
	if s.cmd.Process != nil && s.cmd.ProcessState == nil {
		syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		s.cmd.Wait()
	}
}
