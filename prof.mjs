import { startBackend } from './dist/src/backend/select.js';
const { tf } = await startBackend('wasm');
const x = tf.randomNormal([64, 28, 28, 1]); const w1 = tf.randomNormal([3,3,1,16]); const w2 = tf.randomNormal([3,3,16,32]);
function time(name, f, n = 20) { for (let i=0;i<3;i++){ tf.tidy(()=>{ const r=f(); (Array.isArray(r)?r[0]:r).dataSync(); }); } const t=performance.now(); for (let i=0;i<n;i++) tf.tidy(()=>{ const r=f(); (Array.isArray(r)?r[0]:r).dataSync(); }); console.log(name.padEnd(28), ((performance.now()-t)/n).toFixed(2), 'ms'); }
const h1 = tf.maxPool(tf.relu(tf.conv2d(x, w1, 1, 'valid')), 2, 2, 'valid');
time('conv1 fwd', () => tf.conv2d(x, w1, 1, 'valid'));
time('conv2 fwd', () => tf.conv2d(h1, w2, 1, 'valid'));
time('relu+pool1', () => tf.maxPool(tf.relu(tf.conv2d(x, w1, 1, 'valid')), 2, 2, 'valid'));
time('grad w1', () => tf.grad(w => tf.sum(tf.conv2d(x, w, 1, 'valid')))(w1));
time('grad w2', () => tf.grad(w => tf.sum(tf.conv2d(h1, w, 1, 'valid')))(w2));
time('grad h1 (input)', () => tf.grad(h => tf.sum(tf.conv2d(h, w2, 1, 'valid')))(h1));
const c1 = tf.relu(tf.conv2d(x, w1, 1, 'valid'));
time('grad maxpool', () => tf.grad(h => tf.sum(tf.maxPool(h, 2, 2, 'valid')))(c1));
time('grad relu', () => tf.grad(h => tf.sum(tf.relu(h)))(c1));
