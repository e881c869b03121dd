package htmlreport_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/dectsim/dectsim/cmd/dectsim/internal/report/htmlreport"
	"github.com/dectsim/dectsim/emulator/scenario"
	"github.com/dectsim/dectsim/internal/testfiles"
)

// TestReportOpensInABrowserWithALanePerHandset: the report of a shipped
// two-handset story loads in headless Chromium without a console error or
// an exception, draws one lane per handset, and is not a blank page. With
// DECTSIM_SCREENSHOTS set to a folder, the screenshot is saved there.
func TestReportOpensInABrowserWithALanePerHandset(t *testing.T) {
	exe := testfiles.Chromium(t)
	for name, lanes := range map[string]int{"ghost-after-24h.xml": 3, "graceful-connected.xml": 1} {
		t.Run(name, func(t *testing.T) {
			// From the clone's root, so the report names the file as the
			// README's commands do.
			t.Chdir(testfiles.Root(t))
			res, err := scenario.RunFile(filepath.Join("scenarios", name), scenario.Options{})
			require.NoError(t, err)
			var page bytes.Buffer
			require.NoError(t, htmlreport.Write(&page, []*scenario.Result{res}))
			file := filepath.Join(t.TempDir(), "report.html")
			require.NoError(t, os.WriteFile(file, page.Bytes(), 0o644))

			opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox,
				chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
				chromedp.Flag("disable-sync", true), chromedp.WindowSize(1400, 900))
			actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
			defer cancel()
			ctx, cancel := chromedp.NewContext(actx)
			defer cancel()
			ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
			defer cancel()

			var mu sync.Mutex
			var problems []string
			require.NoError(t, chromedp.Listen(ctx, func(ev any) {
				mu.Lock()
				defer mu.Unlock()
				switch e := ev.(type) {
				case *runtime.EventExceptionThrown:
					problems = append(problems, "exception: "+e.ExceptionDetails.Text)
				case *runtime.EventConsoleAPICalled:
					if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeWarning {
						problems = append(problems, "console "+string(e.Type))
					}
				}
			}))
			require.NoError(t, chromedp.Do(ctx, chromedp.Navigate("file://"+file)))
			n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("g.lane").length`))
			require.NoError(t, err)
			require.Equal(t, lanes, n, "one lane per handset")
			shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			require.NoError(t, err)
			img, err := png.Decode(bytes.NewReader(shot))
			require.NoError(t, err)
			require.True(t, colours(img) > 8, "the screenshot is not blank")
			mu.Lock()
			require.Empty(t, problems)
			mu.Unlock()
			if dir := os.Getenv("DECTSIM_SCREENSHOTS"); dir != "" {
				require.NoError(t, os.WriteFile(filepath.Join(dir, strings.TrimSuffix(name, ".xml")+".png"), shot, 0o644))
			}
		})
	}
}

// colours counts distinct colours on a coarse grid of the image.
func colours(img image.Image) int {
	seen := map[[3]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 7 {
		for x := b.Min.X; x < b.Max.X; x += 7 {
			r, g, bl, _ := img.At(x, y).RGBA()
			seen[[3]uint32{r >> 12, g >> 12, bl >> 12}] = true
		}
	}
	return len(seen)
}
