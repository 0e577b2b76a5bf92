package explain

import (
	"image"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"alexnet/nn"
	"alexnet/weights"
)

// BenchmarkGradCAM times Grad-CAM (forward + backward through the head +
// the map) against one forward pass of the shipped model, interleaved in
// the same loop so that both see the same machine load, and reports
// gradcam/forward, the ratio the issue bounds (at most 1.5):
//
//	go test ./explain -run '^$' -bench GradCAM -benchtime 20x
func BenchmarkGradCAM(b *testing.B) {
	net, x := shippedOn(b, filepath.Join("testdata", "photo.png"))
	class := nn.Argmax(net.Forward(x))
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

// BenchmarkLinearBackward is the transposed product of the shipped model's
// fc1 (2048x4608, int4), with half the output gradient zero (as after a
// ReLU), the largest part of Grad-CAM's backward pass.
func BenchmarkLinearBackward(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	w := randomWeight(rng, []int{2048, 4608}, weights.Q4)
	dy := make([]float32, 2048)
	for i := range dy {
		if i%2 == 0 {
			dy[i] = float32(rng.NormFloat64())
		}
	}
	dx := make([]float32, 4608)
	b.ResetTimer()
	for range b.N {
		linearBackward(dx, dy, w)
	}
}

// BenchmarkAxpyQ4x4 compares the four-row kernel (SIMD under wasm) with
// its scalar reference on four rows of fc1 (4608 values), in one run.
func BenchmarkAxpyQ4x4(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	w := randomWeight(rng, []int{4, 4608}, weights.Q4)
	rb, ng := nn.Q4RowBytes(4608), nn.Q4Groups(4608, w.Group)
	dx := make([]float32, 4608)
	rows, g := [4]int{0, 1, 2, 3}, [4]float32{1, -1, 0.5, 2}
	b.Run("scalar", func(b *testing.B) {
		for range b.N {
			axpyQ4x4Scalar(dx, w.Q4, w.Scale, rb, ng, w.Group, rows, g)
		}
	})
	b.Run("kernel", func(b *testing.B) {
		for range b.N {
			axpyQ4x4(dx, w.Q4, w.Scale, rb, ng, w.Group, rows, g)
		}
	})
}

// BenchmarkTiles draws relu1's 48x55x55 maps and conv5's 128x13x13, the
// inside view's per-frame work after the forward pass (the live camera
// wants 10 frames a second).
func BenchmarkTiles(b *testing.B) {
	net, x := shippedOn(b, filepath.Join("testdata", "photo.png"))
	net.Forward(x)
	shapes := net.Shapes()
	for _, c := range []struct {
		name string
		i    int
	}{{"relu1", 1}, {"conv5", 10}} {
		b.Run(c.name, func(b *testing.B) {
			for range b.N {
				if _, _, err := Tiles(net.Output(c.i), shapes[c.i], TileOptions{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkOverlay draws a Grad-CAM map over a 320x240 photo.
func BenchmarkOverlay(b *testing.B) {
	net, x := shippedOn(b, filepath.Join("testdata", "photo.png"))
	m, err := GradCAM(net, x, 3)
	if err != nil {
		b.Fatal(err)
	}
	photo := image.NewRGBA(image.Rect(0, 0, 320, 240))
	f := FrameOf(320, 240, weights.DefaultPreprocess(nn.Seed(5)))
	b.ResetTimer()
	for range b.N {
		if _, err := Overlay(photo, m, f, 0.5); err != nil {
			b.Fatal(err)
		}
	}
}
