package shared

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDir(t *testing.T) {
	// A repository and its shared folder beside it, in a temporary tree.
	base := t.TempDir()
	repo := filepath.Join(base, "repo")
	sub := filepath.Join(repo, "cmd", "tool")
	photos := filepath.Join(base, "shared", "data", "flower_photos")
	for _, d := range []string{sub, photos} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(repo, "go.mod"), []byte("module x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(sub)
	t.Setenv(Env, "")
	got, err := Photos()
	if err != nil || got != photos {
		t.Errorf("Photos() = %q, %v; want %q", got, err, photos)
	}
	if _, err := Path("data", "nothing"); err == nil || !strings.Contains(err.Error(), filepath.Join(base, "shared", "data", "nothing")) {
		t.Errorf("a missing path: %v, want the path it looked for", err)
	}

	// A clone one level deeper finds the shared folder beside a parent.
	deeper := filepath.Join(base, "ci", "repo")
	if err := os.MkdirAll(deeper, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(deeper, "go.mod"), []byte("module x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(deeper)
	if d, err := Dir(); err != nil || d != filepath.Join(base, "shared") {
		t.Errorf("from %s: Dir() = %q, %v; want %q", deeper, d, err, filepath.Join(base, "shared"))
	}
	t.Chdir(sub)

	// The override.
	other := t.TempDir()
	t.Setenv(Env, other)
	if d, err := Dir(); err != nil || d != other {
		t.Errorf("with $%s: %q, %v", Env, d, err)
	}
	t.Setenv(Env, filepath.Join(other, "missing"))
	if _, err := Dir(); err == nil || !strings.Contains(err.Error(), Env) {
		t.Errorf("a bad $%s: %v", Env, err)
	}

	// No shared folder beside the repository: the error says where.
	t.Setenv(Env, "")
	if err := os.RemoveAll(filepath.Join(base, "shared")); err != nil {
		t.Fatal(err)
	}
	if _, err := Dir(); err == nil || !strings.Contains(err.Error(), filepath.Join(base, "shared")) || !strings.Contains(err.Error(), Env) {
		t.Errorf("no shared folder: %v", err)
	}
}
