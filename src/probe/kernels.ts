/**
 * Dense kernels on Float64Array, written for V8: flat typed arrays, integer offsets, no allocation, and
 * register tiles of 4 x 4 scalars so each loaded value is used four times. Loop order is fixed, so results
 * are bit-identical from run to run.
 */

/**
 * `C += A B^T`, with explicit offsets and leading dimensions (zero `C` first for a plain product):
 * `C[cOff + i*ldc + k] += sum_{j<p} A[aOff + i*lda + j] * B[bOff + k*ldb + j]` for `i < m`, `k < q`.
 * Both operands are read along contiguous rows (dot products), the fastest access pattern in JS.
 */
export function gemmABtAcc(
  m: number,
  q: number,
  p: number,
  A: Float64Array,
  aOff: number,
  lda: number,
  B: Float64Array,
  bOff: number,
  ldb: number,
  C: Float64Array,
  cOff: number,
  ldc: number,
): void {
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const a0 = aOff + i * lda;
    const a1 = a0 + lda;
    const a2 = a1 + lda;
    const a3 = a2 + lda;
    let k = 0;
    for (; k + 4 <= q; k += 4) {
      const b0 = bOff + k * ldb;
      const b1 = b0 + ldb;
      const b2 = b1 + ldb;
      const b3 = b2 + ldb;
      let s00 = 0,
        s01 = 0,
        s02 = 0,
        s03 = 0;
      let s10 = 0,
        s11 = 0,
        s12 = 0,
        s13 = 0;
      let s20 = 0,
        s21 = 0,
        s22 = 0,
        s23 = 0;
      let s30 = 0,
        s31 = 0,
        s32 = 0,
        s33 = 0;
      for (let j = 0; j < p; j++) {
        const x0 = A[a0 + j]!,
          x1 = A[a1 + j]!,
          x2 = A[a2 + j]!,
          x3 = A[a3 + j]!;
        const w0 = B[b0 + j]!,
          w1 = B[b1 + j]!,
          w2 = B[b2 + j]!,
          w3 = B[b3 + j]!;
        s00 += x0 * w0;
        s01 += x0 * w1;
        s02 += x0 * w2;
        s03 += x0 * w3;
        s10 += x1 * w0;
        s11 += x1 * w1;
        s12 += x1 * w2;
        s13 += x1 * w3;
        s20 += x2 * w0;
        s21 += x2 * w1;
        s22 += x2 * w2;
        s23 += x2 * w3;
        s30 += x3 * w0;
        s31 += x3 * w1;
        s32 += x3 * w2;
        s33 += x3 * w3;
      }
      let c = cOff + i * ldc + k;
      C[c]! += s00;
      C[c + 1]! += s01;
      C[c + 2]! += s02;
      C[c + 3]! += s03;
      c += ldc;
      C[c]! += s10;
      C[c + 1]! += s11;
      C[c + 2]! += s12;
      C[c + 3]! += s13;
      c += ldc;
      C[c]! += s20;
      C[c + 1]! += s21;
      C[c + 2]! += s22;
      C[c + 3]! += s23;
      c += ldc;
      C[c]! += s30;
      C[c + 1]! += s31;
      C[c + 2]! += s32;
      C[c + 3]! += s33;
    }
    for (; k + 2 <= q; k += 2) {
      const b0 = bOff + k * ldb;
      const b1 = b0 + ldb;
      let s00 = 0,
        s01 = 0,
        s10 = 0,
        s11 = 0,
        s20 = 0,
        s21 = 0,
        s30 = 0,
        s31 = 0;
      for (let j = 0; j < p; j++) {
        const w0 = B[b0 + j]!,
          w1 = B[b1 + j]!;
        const x0 = A[a0 + j]!,
          x1 = A[a1 + j]!,
          x2 = A[a2 + j]!,
          x3 = A[a3 + j]!;
        s00 += x0 * w0;
        s01 += x0 * w1;
        s10 += x1 * w0;
        s11 += x1 * w1;
        s20 += x2 * w0;
        s21 += x2 * w1;
        s30 += x3 * w0;
        s31 += x3 * w1;
      }
      let c = cOff + i * ldc + k;
      C[c]! += s00;
      C[c + 1]! += s01;
      c += ldc;
      C[c]! += s10;
      C[c + 1]! += s11;
      c += ldc;
      C[c]! += s20;
      C[c + 1]! += s21;
      c += ldc;
      C[c]! += s30;
      C[c + 1]! += s31;
    }
    for (; k < q; k++) {
      const b0 = bOff + k * ldb;
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0;
      for (let j = 0; j < p; j++) {
        const w = B[b0 + j]!;
        s0 += A[a0 + j]! * w;
        s1 += A[a1 + j]! * w;
        s2 += A[a2 + j]! * w;
        s3 += A[a3 + j]! * w;
      }
      const c = cOff + i * ldc + k;
      C[c]! += s0;
      C[c + ldc]! += s1;
      C[c + 2 * ldc]! += s2;
      C[c + 3 * ldc]! += s3;
    }
  }
  for (; i < m; i++) {
    const a0 = aOff + i * lda;
    let k = 0;
    for (; k + 4 <= q; k += 4) {
      const b0 = bOff + k * ldb;
      const b1 = b0 + ldb;
      const b2 = b1 + ldb;
      const b3 = b2 + ldb;
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0;
      for (let j = 0; j < p; j++) {
        const x = A[a0 + j]!;
        s0 += x * B[b0 + j]!;
        s1 += x * B[b1 + j]!;
        s2 += x * B[b2 + j]!;
        s3 += x * B[b3 + j]!;
      }
      const c = cOff + i * ldc + k;
      C[c]! += s0;
      C[c + 1]! += s1;
      C[c + 2]! += s2;
      C[c + 3]! += s3;
    }
    for (; k < q; k++) {
      const b0 = bOff + k * ldb;
      let s = 0;
      for (let j = 0; j < p; j++) s += A[a0 + j]! * B[b0 + j]!;
      const c = cOff + i * ldc + k;
      C[c]! += s;
    }
  }
}

/**
 * `C += A^T B` for row blocks: `C[k*ldc + j] += sum_{r<n} A[aOff + r*lda + k] * B[bOff + r*ldb + j]`
 * for `k < m`, `j < q`. Streams 4 rows of B at a time into 2 rows of C (axpy form): meant for small m
 * (few classes), where it avoids transposing the block.
 */
export function gemmAtBAcc(
  m: number,
  q: number,
  n: number,
  A: Float64Array,
  aOff: number,
  lda: number,
  B: Float64Array,
  bOff: number,
  ldb: number,
  C: Float64Array,
  ldc: number,
): void {
  let r = 0;
  for (; r + 4 <= n; r += 4) {
    const ar = aOff + r * lda;
    const b0 = bOff + r * ldb;
    const b1 = b0 + ldb;
    const b2 = b1 + ldb;
    const b3 = b2 + ldb;
    let k = 0;
    for (; k + 2 <= m; k += 2) {
      const u0 = A[ar + k]!,
        u1 = A[ar + lda + k]!,
        u2 = A[ar + 2 * lda + k]!,
        u3 = A[ar + 3 * lda + k]!;
      const v0 = A[ar + k + 1]!,
        v1 = A[ar + lda + k + 1]!,
        v2 = A[ar + 2 * lda + k + 1]!,
        v3 = A[ar + 3 * lda + k + 1]!;
      const c0 = k * ldc;
      const c1 = c0 + ldc;
      for (let j = 0; j < q; j++) {
        const x0 = B[b0 + j]!,
          x1 = B[b1 + j]!,
          x2 = B[b2 + j]!,
          x3 = B[b3 + j]!;
        C[c0 + j]! += u0 * x0 + u1 * x1 + u2 * x2 + u3 * x3;
        C[c1 + j]! += v0 * x0 + v1 * x1 + v2 * x2 + v3 * x3;
      }
    }
    for (; k < m; k++) {
      const u0 = A[ar + k]!,
        u1 = A[ar + lda + k]!,
        u2 = A[ar + 2 * lda + k]!,
        u3 = A[ar + 3 * lda + k]!;
      const c0 = k * ldc;
      for (let j = 0; j < q; j++) C[c0 + j]! += u0 * B[b0 + j]! + u1 * B[b1 + j]! + u2 * B[b2 + j]! + u3 * B[b3 + j]!;
    }
  }
  for (; r < n; r++) {
    const ar = aOff + r * lda;
    const b0 = bOff + r * ldb;
    for (let k = 0; k < m; k++) {
      const u = A[ar + k]!;
      const c0 = k * ldc;
      for (let j = 0; j < q; j++) C[c0 + j]! += u * B[b0 + j]!;
    }
  }
}

/** Transpose of the `rows x cols` block at `src[off + i*ld + j]` into `dst` (`cols x rows`, dense). */
export function transposeBlock(src: Float64Array, off: number, ld: number, rows: number, cols: number, dst: Float64Array): void {
  for (let i = 0; i < rows; i++) {
    const s = off + i * ld;
    for (let j = 0; j < cols; j++) dst[j * rows + i] = src[s + j]!;
  }
}

export function dot(a: Float64Array, b: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i]! * b[i]!;
  return s;
}

/** max_i |a_i| */
export function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const v = Math.abs(a[i]!);
    if (v > m) m = v;
  }
  return m;
}
