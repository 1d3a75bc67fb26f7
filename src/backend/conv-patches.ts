/**
 * A convolution as one matrix product per kernel tap (the per-tap form of im2col): for the tap
 * (fh, fw), P_tap [n * outH * outW, cin] holds the input under that tap at every output position
 * (zeros where the tap falls in the padding). Then, with W_tap = W[fh][fw] [cin, cout]:
 *
 *   forward          Y   = sum over taps of P_tap W_tap
 *   backprop filter  dW_tap = P_tap^T dY
 *   backprop input   dX += scatter of (dY W_tap^T) back to where P_tap was gathered from
 *
 * (Chellapilla, Puri and Simard 2006, "High performance convolutional neural networks for
 * document processing", lower convolutions to matrix products the same way.) NHWC layout; the
 * gather and its adjoint copy whole runs of an input row when the stride is 1.
 */
import type { backend_util } from '@tensorflow/tfjs-core';

type ConvInfo = backend_util.Conv2DInfo;

/** Output columns whose input column ow * strideW - padLeft + fw lies inside the image. */
function columns(c: ConvInfo, fw: number): [number, number] {
  const from = Math.max(0, Math.ceil((c.padInfo.left - fw) / c.strideWidth));
  const to = Math.min(c.outWidth, Math.floor((c.inWidth - 1 + c.padInfo.left - fw) / c.strideWidth) + 1);
  return [from, Math.max(from, to)];
}

/** Fills `patch` ([n * outH * outW, cin]) with the input `x` under tap (fh, fw). */
export function gatherTap(x: Float32Array, c: ConvInfo, fh: number, fw: number, patch: Float32Array): void {
  const { batchSize, inHeight, inWidth, inChannels: ch, outHeight, outWidth, strideHeight, strideWidth } = c;
  patch.fill(0, 0, batchSize * outHeight * outWidth * ch);
  const [owFrom, owTo] = columns(c, fw);
  if (owTo === owFrom) return;
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const ih = oh * strideHeight - c.padInfo.top + fh;
      if (ih < 0 || ih >= inHeight) continue;
      const dst = (b * outHeight + oh) * outWidth * ch;
      const srcRow = (b * inHeight + ih) * inWidth;
      if (strideWidth === 1) {
        const iw = owFrom - c.padInfo.left + fw;
        patch.set(x.subarray((srcRow + iw) * ch, (srcRow + iw + owTo - owFrom) * ch), dst + owFrom * ch);
      } else {
        for (let ow = owFrom; ow < owTo; ow++) {
          const iw = ow * strideWidth - c.padInfo.left + fw;
          patch.set(x.subarray((srcRow + iw) * ch, (srcRow + iw + 1) * ch), dst + ow * ch);
        }
      }
    }
  }
}

/** The adjoint of gatherTap: adds `patch` into `dx` where gatherTap read it from. */
export function scatterAddTap(patch: Float32Array, c: ConvInfo, fh: number, fw: number, dx: Float32Array): void {
  const { batchSize, inHeight, inWidth, inChannels: ch, outHeight, outWidth, strideHeight, strideWidth } = c;
  const [owFrom, owTo] = columns(c, fw);
  if (owTo === owFrom) return;
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const ih = oh * strideHeight - c.padInfo.top + fh;
      if (ih < 0 || ih >= inHeight) continue;
      const src = (b * outHeight + oh) * outWidth * ch;
      const dstRow = (b * inHeight + ih) * inWidth;
      for (let ow = owFrom; ow < owTo; ow++) {
        const d = (dstRow + ow * strideWidth - c.padInfo.left + fw) * ch;
        const s = src + ow * ch;
        for (let k = 0; k < ch; k++) dx[d + k] += patch[s + k];
      }
    }
  }
}
