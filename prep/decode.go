package prep

import (
	"bytes"
	"errors"
	"fmt"
	"image"
)

// MaxDecodePixels is the largest image file Decode accepts, in pixels:
// 64 Mpx (8192x8192, or any photo of a 64-megapixel camera). Decoding costs
// up to 4 bytes a pixel, and preparing the image as many again, so an
// accepted file takes at most about 512 MiB however small it is.
const MaxDecodePixels = 1 << 26

// Decode decodes an image file in any format registered with package image
// (the CLI registers JPEG and PNG). It reads the size the file declares
// (image.DecodeConfig: the header only) before decoding, and refuses more
// than MaxDecodePixels with ErrImage, so a small file declaring a huge
// image (a "decompression bomb") costs nothing. It returns the format name
// like image.Decode; an unknown format is image.ErrFormat, wrapped.
func Decode(b []byte) (image.Image, string, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		if errors.Is(err, image.ErrFormat) {
			return nil, "", err
		}
		return nil, format, fmt.Errorf("%w: %s header: %v", ErrImage, format, err)
	}
	if w, h := cfg.Width, cfg.Height; w < 1 || h < 1 || w > MaxDecodePixels/h {
		return nil, format, fmt.Errorf("%w: the %s declares %dx%d pixels, more than the %d Mpx accepted", ErrImage, format, w, h, MaxDecodePixels>>20)
	}
	img, format, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, format, fmt.Errorf("%w: %s: %v", ErrImage, format, err)
	}
	return img, format, nil
}
