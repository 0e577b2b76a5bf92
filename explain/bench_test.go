package explain

import (
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkGradCAM times Grad-CAM (forward + backward through the head +
// the map) against one forward pass of the shipped model, interleaved in
// the same loop so that both see the same machine load, and reports
// gradcam/forward, the ratio the issue bounds (at most 1.5):
//
//	go test ./explain -run '^$' -bench GradCAM -benchtime 20x
func BenchmarkGradCAM(b *testing.B) {
	net, x := shippedOn(b, filepath.Join("testdata", "photo.png"))
	class := argmax(net.Forward(x))
	var fwd, cam time.Duration
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		net.Forward(x)
		t1 := time.Now()
		if _, err := GradCAM(net, x, class); err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		fwd += t1.Sub(t0)
		cam += t2.Sub(t1)
	}
	b.ReportMetric(float64(fwd.Microseconds())/1e3/float64(b.N), "forward-ms")
	b.ReportMetric(float64(cam.Microseconds())/1e3/float64(b.N), "gradcam-ms")
	b.ReportMetric(float64(cam)/float64(fwd), "gradcam/forward")
}
