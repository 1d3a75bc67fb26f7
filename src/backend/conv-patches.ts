/**
 * Convolutions lowered to matrix products. NHWC layout, filter [kh, kw, cin, cout]; every
 * lowering reads the input through its *frame*: each image with its zero padding around it,
 * [Hp, Wp, cin], tall and wide enough for every window (the input itself when there is no
 * padding, else a copy). Three lowerings:
 *
 * - im2col (Chellapilla, Puri and Simard 2006, "High performance convolutional neural networks
 *   for document processing"): P [n * outH * outW, kh * kw * cin] holds, in row (b, oh, ow), the
 *   window under that output in the filter's own order, so with W as [kh * kw * cin, cout]:
 *     forward          Y  = P W                   (one product)
 *     backprop filter  dW = P^T dY                (one product)
 *     backprop input   dX = col2im(dY W^T)        (one product; col2im is im2col's adjoint)
 *   Any stride; P holds kh * kw copies of the input, so it suits few input channels (one
 *   channel: its transpose, one plane per tap, tapPlanes).
 *
 * - shifted views (stride 1): output (oh, ow) of tap (fh, fw) reads frame position
 *   (oh + fh, ow + fw). Number the frame's positions r = (b * Hp + h) * Wp + w, and compute the
 *   output on the frame's grid (r = (b * Hp + oh) * Wp + ow, the positions with oh >= outH or
 *   ow >= outW computed and dropped): tap t = (fh, fw) then reads position r + off_t, off_t =
 *   fh * Wp + fw. So the patch of a tap is the frame itself, viewed from row off_t: no copy. With
 *   W_t = W[fh][fw] [cin, cout] and G_dY the output gradient spread onto the grid (zeros where no
 *   output is):
 *     forward          G_Y          = sum over taps of X[off_t:] W_t, then the outputs picked out
 *     backprop filter  dW_t         = X[off_t:]^T G_dY
 *     backprop input   dX[off_t:]  += G_dY W_t^T    (the product accumulates in place)
 *   kh * kw products of k = cin (or n = cin) each, over (Hp * Wp) / (outH * outW) more rows
 *   than there are outputs: it suits many input channels, where a patch copy costs most.
 *
 * - per tap (gatherTap below): the input under one tap at every output, copied; the wasm
 *   backend's own filter gradient uses it (src/backend/wasm-kernels.ts).
 *
 * Images are lowered in chunks (a few at a time) so that the copies stay small and in cache; the
 * training step may keep a whole batch's patches for its filter gradient (blas-conv.ts,
 * keptPatchesLength).
 */
import type { backend_util } from '@tensorflow/tfjs-core';

type ConvInfo = backend_util.Conv2DInfo;

/** The padded input a convolution reads: `hp` x `wp` per image, the input at (top, left). */
export interface Frame {
  c: ConvInfo;
  top: number;
  left: number;
  hp: number;
  wp: number;
  /** The frame is the input itself: no padding, no rows or columns beyond it read. */
  bare: boolean;
}

export function frameOf(c: ConvInfo): Frame {
  const { top, left } = c.padInfo;
  // The last window ends at (outH - 1) * stride + k: past the input when the output size was
  // rounded up (the cpu backend reads zeros there, as it does in the padding).
  const hp = Math.max(top + c.inHeight, (c.outHeight - 1) * c.strideHeight + c.filterHeight);
  const wp = Math.max(left + c.inWidth, (c.outWidth - 1) * c.strideWidth + c.filterWidth);
  return { c, top, left, hp, wp, bare: top === 0 && left === 0 && hp === c.inHeight && wp === c.inWidth };
}

/** Images b0 <= b < b1 of `x` in their frame: a view of `x` when bare, else a copy into `into(size)`. */
export function frameImages(x: Float32Array, f: Frame, b0: number, b1: number, into: (n: number) => Float32Array): Float32Array {
  const { c, hp, wp, top, left } = f;
  const ch = c.inChannels;
  const image = c.inHeight * c.inWidth * ch;
  if (f.bare) return x.subarray(b0 * image, b1 * image);
  const xp = into((b1 - b0) * hp * wp * ch);
  copyFrame(x, f, b0, b1, xp);
  return xp;
}

/** The frame of images b0..b1 of `x` written into `xp` (a copy even when bare). */
export function copyFrame(x: Float32Array, f: Frame, b0: number, b1: number, xp: Float32Array): void {
  const { c, hp, wp, top, left } = f;
  const ch = c.inChannels;
  const image = c.inHeight * c.inWidth * ch;
  if (f.bare) {
    xp.set(x.subarray(b0 * image, b1 * image));
    return;
  }
  xp.fill(0, 0, (b1 - b0) * hp * wp * ch);
  const run = c.inWidth * ch;
  for (let b = b0; b < b1; b++) {
    for (let ih = 0; ih < c.inHeight; ih++) {
      const src = (b * c.inHeight + ih) * run;
      xp.set(x.subarray(src, src + run), (((b - b0) * hp + ih + top) * wp + left) * ch);
    }
  }
}

/** The input's part of `framed` (the frame of images b0..b1) copied into `dx`: the padding dropped. */
export function cropFrame(framed: Float32Array, f: Frame, b0: number, b1: number, dx: Float32Array): void {
  const { c, hp, wp, top, left } = f;
  const ch = c.inChannels;
  const run = c.inWidth * ch;
  for (let b = b0; b < b1; b++) {
    for (let ih = 0; ih < c.inHeight; ih++) {
      const src = (((b - b0) * hp + ih + top) * wp + left) * ch;
      dx.set(framed.subarray(src, src + run), (b * c.inHeight + ih) * run);
    }
  }
}

/** Shifted views: the offset, in frame positions, of tap t (row-major over [kh, kw]). */
export function tapOffset(f: Frame, t: number): number {
  const kw = f.c.filterWidth;
  return Math.floor(t / kw) * f.wp + (t % kw);
}

/** Shifted views: how many grid rows `images` images span (the last positions, read by no window, left out). */
export function gridRows(f: Frame, images: number): number {
  return images * f.hp * f.wp - tapOffset(f, f.c.filterHeight * f.c.filterWidth - 1);
}

/** Shifted views: `dy` of images b0..b1 spread onto their grid [(b1 - b0) * hp * wp, cout] (zeros where no output is). */
export function spreadOutputs(dy: Float32Array, f: Frame, b0: number, b1: number, grid: Float32Array): void {
  const { c, hp, wp } = f;
  const cout = c.outChannels;
  const run = c.outWidth * cout;
  grid.fill(0);
  for (let b = b0; b < b1; b++) {
    for (let oh = 0; oh < c.outHeight; oh++) {
      const src = (b * c.outHeight + oh) * run;
      grid.set(dy.subarray(src, src + run), ((b - b0) * hp + oh) * wp * cout);
    }
  }
}

/** Shifted views: the outputs of images b0..b1 picked out of their grid into `y` (the inverse of spreadOutputs). */
export function pickOutputs(grid: Float32Array, f: Frame, b0: number, b1: number, y: Float32Array): void {
  const { c, hp, wp } = f;
  const cout = c.outChannels;
  const run = c.outWidth * cout;
  for (let b = b0; b < b1; b++) {
    for (let oh = 0; oh < c.outHeight; oh++) {
      const src = ((b - b0) * hp + oh) * wp * cout;
      y.set(grid.subarray(src, src + run), (b * c.outHeight + oh) * run);
    }
  }
}

/** im2col: P [images * outH * outW, kh * kw * cin] from the frame `xp` of `images` images. */
export function im2col(xp: Float32Array, f: Frame, images: number, p: Float32Array): void {
  const { c, hp, wp } = f;
  const ch = c.inChannels;
  const run = c.filterWidth * ch;
  const rowStep = c.strideHeight;
  const colStep = c.strideWidth * ch;
  let dst = 0;
  for (let b = 0; b < images; b++) {
    for (let oh = 0; oh < c.outHeight; oh++) {
      for (let ow = 0; ow < c.outWidth; ow++) {
        for (let fh = 0; fh < c.filterHeight; fh++) {
          const src = ((b * hp + oh * rowStep + fh) * wp) * ch + ow * colStep;
          for (let k = 0; k < run; k++) p[dst++] = xp[src + k];
        }
      }
    }
  }
}

/**
 * im2col transposed, for one input channel: Q = P^T [kh * kw, images * outH * outW], one plane
 * per tap, each a copy of the frame under that tap: runs of outW values (contiguous at stride 1)
 * rather than P's rows of kh * kw values. `buf` holds the frame of the images at its start and
 * receives Q from `at`, past the frame, so that at stride 1 each run is one copyWithin (0.5x the
 * time of a loop over the values; 0.75x im2col's time in all for a 28x28 digit batch's
 * gradient). The products then take Q transposed: Y = Q^T W, dW = Q dY, dQ = W dY^T.
 */
export function tapPlanes(buf: Float32Array, at: number, f: Frame, images: number): void {
  const { c, hp, wp } = f;
  const rows = images * c.outHeight * c.outWidth;
  const ow1 = c.outWidth;
  const sw = c.strideWidth;
  for (let fh = 0; fh < c.filterHeight; fh++) {
    for (let fw = 0; fw < c.filterWidth; fw++) {
      let dst = at + (fh * c.filterWidth + fw) * rows;
      for (let b = 0; b < images; b++) {
        for (let oh = 0; oh < c.outHeight; oh++) {
          const src = (b * hp + oh * c.strideHeight + fh) * wp + fw;
          if (sw === 1) {
            buf.copyWithin(dst, src, src + ow1);
            dst += ow1;
          } else {
            for (let ow = 0; ow < ow1; ow++) buf[dst++] = buf[src + ow * sw];
          }
        }
      }
    }
  }
}

/** tapPlanes' adjoint: adds each entry of `dq` into the frame position tapPlanes read it from. */
export function addTapPlanes(dq: Float32Array, f: Frame, images: number, dxp: Float32Array): void {
  const { c, hp, wp } = f;
  const rows = images * c.outHeight * c.outWidth;
  const ow1 = c.outWidth;
  const sw = c.strideWidth;
  for (let fh = 0; fh < c.filterHeight; fh++) {
    for (let fw = 0; fw < c.filterWidth; fw++) {
      let src = (fh * c.filterWidth + fw) * rows;
      for (let b = 0; b < images; b++) {
        for (let oh = 0; oh < c.outHeight; oh++) {
          const dst = (b * hp + oh * c.strideHeight + fh) * wp + fw;
          for (let ow = 0; ow < ow1; ow++) dxp[dst + ow * sw] += dq[src++];
        }
      }
    }
  }
}

/** col2im, im2col's adjoint: adds each entry of `dp` into the frame position im2col read it from. */
export function col2im(dp: Float32Array, f: Frame, images: number, dxp: Float32Array): void {
  const { c, hp, wp } = f;
  const ch = c.inChannels;
  const run = c.filterWidth * ch;
  const rowStep = c.strideHeight;
  const colStep = c.strideWidth * ch;
  let src = 0;
  for (let b = 0; b < images; b++) {
    for (let oh = 0; oh < c.outHeight; oh++) {
      for (let ow = 0; ow < c.outWidth; ow++) {
        for (let fh = 0; fh < c.filterHeight; fh++) {
          const dst = ((b * hp + oh * rowStep + fh) * wp) * ch + ow * colStep;
          for (let k = 0; k < run; k++) dxp[dst + k] += dp[src++];
        }
      }
    }
  }
}

/** Output columns whose input column ow * strideW - padLeft + fw lies inside the image. */
function columns(c: ConvInfo, fw: number): [number, number] {
  const from = Math.max(0, Math.ceil((c.padInfo.left - fw) / c.strideWidth));
  const to = Math.min(c.outWidth, Math.floor((c.inWidth - 1 + c.padInfo.left - fw) / c.strideWidth) + 1);
  return [from, Math.max(from, to)];
}

/**
 * Per tap: fills `patch` ([n * outH * outW, cin]) with the input `x` under tap (fh, fw) at every
 * output position (zeros where the tap falls in the padding).
 */
export function gatherTap(x: Float32Array, c: ConvInfo, fh: number, fw: number, patch: Float32Array): void {
  const { batchSize, inHeight, inWidth, inChannels: ch, outHeight, outWidth, strideHeight, strideWidth } = c;
  patch.fill(0, 0, batchSize * outHeight * outWidth * ch);
  const [owFrom, owTo] = columns(c, fw);
  if (owTo === owFrom) return;
  const colStep = strideWidth * ch;
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const ih = oh * strideHeight - c.padInfo.top + fh;
      if (ih < 0 || ih >= inHeight) continue;
      let dst = ((b * outHeight + oh) * outWidth + owFrom) * ch;
      let src = ((b * inHeight + ih) * inWidth + owFrom * strideWidth - c.padInfo.left + fw) * ch;
      for (let ow = owFrom; ow < owTo; ow++, src += colStep) {
        for (let k = 0; k < ch; k++) patch[dst++] = x[src + k];
      }
    }
  }
}
