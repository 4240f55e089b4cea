// SPDX-License-Identifier: GPL-2.0

#include <crypto/sha2.h>

#if IS_BUILTIN(CONFIG_CRYPTO_LIB_SHA256)
__rust_helper void rust_helper_sha256_update(struct sha256_ctx *ctx,
					     const u8 *data, size_t len)
{
	sha256_update(ctx, data, len);
}
#endif
