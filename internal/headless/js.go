package headless

import (
	"context"
	"fmt"
	"time"

	"github.com/chromedp/chromedp"
)

// Eval evaluates a JavaScript expression in the page of ctx, awaiting it
// when it is a promise, and returns its value as T.
func Eval[T any](ctx context.Context, expr string) (T, error) {
	return chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
}

// Wait polls a JavaScript condition every 50 ms until it is true. After
// timeout the error names what it waited for and starts with what the page
// says.
func Wait(ctx context.Context, what, cond string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("!!("+cond+")"))
		if err == nil && ok {
			return nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			txt, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText.slice(0, 600) : ''`))
			return fmt.Errorf("timed out after %s waiting for %s (%s); page says:\n%s", timeout, what, cond, txt)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
