// Package headless runs the built web app in Debian's Chromium for the
// browser tests (e2e/) and the browser benchmark (cmd/browserbench): Build
// runs build.sh, Serve starts the app's own server, Start the browser, Eval
// and Wait run JavaScript in the page, WriteY4M makes a fake camera's video.
//
// Start is the one way the project runs a browser: headless, no
// network of its own, a fresh profile, HOME and TMPDIR in a folder of the
// caller's (Debian's Chromium writes there whatever --user-data-dir says), and
// its own process group, killed whole when it stops (the crash handler and the
// helper processes outlive the browser otherwise).
package headless

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"

	"github.com/chromedp/chromedp"
)

// Path is Debian's Chromium (apt-get install chromium). Nothing downloads a
// browser of its own.
const Path = "/usr/bin/chromium"

// Start starts Chromium with the project's flags plus extra (flag name to
// value, as chromedp.Flag takes them) and everything it writes under home. It
// returns a chromedp context on its first tab and a stop function that ends
// the browser and kills its whole process group.
func Start(parent context.Context, home string, extra map[string]any) (context.Context, func(), error) {
	if _, err := os.Stat(Path); err != nil {
		return nil, nil, fmt.Errorf("Chromium is required: %w (apt-get install chromium)", err)
	}
	if err := os.MkdirAll(home, 0o755); err != nil {
		return nil, nil, err
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(Path),
		chromedp.Flag("headless", "new"),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(filepath.Join(home, "profile")),
		chromedp.Env("HOME="+home, "TMPDIR="+home, "XDG_CONFIG_HOME="+home, "XDG_CACHE_HOME="+home),
		chromedp.WindowSize(1280, 900),
		chromedp.ModifyCmdFunc(func(cmd *exec.Cmd) {
			if cmd.SysProcAttr == nil {
				cmd.SysProcAttr = &syscall.SysProcAttr{}
			}
			cmd.SysProcAttr.Setpgid = true
		}),
	)
	for k, v := range extra {
		opts = append(opts, chromedp.Flag(k, v))
	}
	actx, cancelA := chromedp.NewExecAllocator(parent, opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	pgid := 0
	stop := func() {
		cancelC()
		cancelA()
		if pgid > 0 {
			syscall.Kill(-pgid, syscall.SIGKILL) // renderers, zygote, GPU and utility processes too
		}
	}
	if err := chromedp.Do(ctx); err != nil {
		stop()
		return nil, nil, fmt.Errorf("start Chromium: %w", err)
	}
	if p := chromedp.FromContext(ctx).Browser.Process(); p != nil {
		pgid = p.Pid
	}
	return ctx, stop, nil
}
