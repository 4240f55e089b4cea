// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Module authentication policy: a module is authenticated by its digest
 * (CONFIG_MODULE_HASHES) or by its signature (CONFIG_MODULE_SIG); what
 * happens to a module that is not depends on module.sig_enforce and
 * lockdown.
 *
 * Copyright (C) 2012 Red Hat, Inc. All Rights Reserved.
 * Written by David Howells (dhowells@redhat.com)
 */

#include <linux/audit.h>
#include <linux/dcache.h>
#include <linux/kernel.h>
#include <linux/errno.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/module_hashes.h>
#include <linux/module_signature.h>
#include <linux/ratelimit.h>
#include <linux/string.h>
#include <linux/security.h>
#include <uapi/linux/module.h>
#include "internal.h"

#undef MODULE_PARAM_PREFIX
#define MODULE_PARAM_PREFIX "module."

static bool sig_enforce = IS_ENABLED(CONFIG_MODULE_SIG_FORCE);
module_param(sig_enforce, bool_enable_only, 0644);

/*
 * Export sig_enforce kernel cmdline parameter to allow other subsystems rely
 * on that instead of directly to CONFIG_MODULE_SIG_FORCE config.
 */
bool is_module_sig_enforced(void)
{
	return sig_enforce;
}
EXPORT_SYMBOL(is_module_sig_enforced);

void set_module_sig_enforced(void)
{
	sig_enforce = true;
}

/*
 * The length of the module without an appended signature, or a negative
 * error if its signature trailer is malformed.
 */
static ssize_t module_unsigned_len(const void *mod, size_t len)
{
	const size_t markerlen = sizeof(MODULE_SIGNATURE_MARKER) - 1;
	struct module_signature ms;
	int err;

	if (len <= markerlen ||
	    memcmp(mod + len - markerlen, MODULE_SIGNATURE_MARKER, markerlen))
		return len;
	len -= markerlen;
	if (len <= sizeof(ms))
		return -EBADMSG;
	memcpy(&ms, mod + len - sizeof(ms), sizeof(ms));
	err = mod_check_sig(&ms, len, "module");
	if (err)
		return err;
	return len - sizeof(ms) - be32_to_cpu(ms.sig_len);
}

/*
 * Is this module one that was built with the kernel?  Then it is
 * authenticated by its hash, as a validly signed one is by its signature,
 * and info->len no longer covers an appended signature; sig_ok stays false,
 * since no signature was verified.  info->auth gets the module's digest
 * (of the whole image if its signature trailer is malformed) and whether
 * the table holds that digest.
 */
static bool module_hash_check(struct load_info *info, int flags)
{
	const void *mod = info->hdr;
	ssize_t len = module_unsigned_len(mod, info->len);

	info->auth.listed = module_hashes_known(mod, len < 0 ? info->len : len,
						info->auth.digest);
	/*
	 * A module loaded with its version checks ignored is not the module
	 * that was hashed: it may only load the way an unsigned one does.
	 */
	if (!info->auth.listed || len < 0 ||
	    flags & (MODULE_INIT_IGNORE_MODVERSIONS | MODULE_INIT_IGNORE_VERMAGIC))
		return false;
	info->len = len;
	info->auth_method = MODULE_AUTH_HASH;
	return true;
}

/*
 * @sig_err gets what the signature check found: 0 for a valid signature,
 * -ENODATA for none (or none checked), else why it is not valid.
 */
static int module_sig_check(struct load_info *info, int flags, int *sig_err)
{
	int err = -ENODATA;
	const unsigned long markerlen = sizeof(MODULE_SIGNATURE_MARKER) - 1;
	const char *reason;
	const void *mod = info->hdr;
	bool mangled_module = flags & (MODULE_INIT_IGNORE_MODVERSIONS |
				       MODULE_INIT_IGNORE_VERMAGIC);
	/*
	 * Do not allow mangled modules as a module with version information
	 * removed is no longer the module that was signed.  Without
	 * MODULE_SIG (MODULE_HASHES only), a module that is not known by its
	 * hash is treated as unsigned, whatever it carries.
	 */
	if (IS_ENABLED(CONFIG_MODULE_SIG) && !mangled_module &&
	    info->len > markerlen &&
	    memcmp(mod + info->len - markerlen, MODULE_SIGNATURE_MARKER, markerlen) == 0) {
		/* We truncate the module to discard the signature */
		info->len -= markerlen;
		err = mod_verify_sig(mod, info);
		*sig_err = err;
		if (!err) {
			info->sig_ok = true;
			info->auth_method = MODULE_AUTH_SIGNATURE;
			return 0;
		}
	}

	/*
	 * We don't permit modules to be loaded into the trusted kernels
	 * without a valid signature on them, but if we're not enforcing,
	 * certain errors are non-fatal.
	 */
	switch (err) {
	case -ENODATA:
		reason = "unsigned module";
		break;
	case -ENOPKG:
		reason = "module with unsupported crypto";
		break;
	case -ENOKEY:
		reason = "module with unavailable key";
		break;

	default:
		/*
		 * All other errors are fatal, including lack of memory,
		 * unparseable signatures, and signature check failures --
		 * even if signatures aren't required.
		 */
		return err;
	}

	if (is_module_sig_enforced()) {
		/* With MODULE_HASHES, module_auth_report() says it. */
		if (!IS_ENABLED(CONFIG_MODULE_HASHES))
			pr_notice("Loading of %s is rejected\n", reason);
		return -EKEYREJECTED;
	}

	return security_locked_down(LOCKDOWN_MODULE_SIGNATURE);
}

/* Is @sig_err a signature that the policy may let through unauthenticated? */
static bool module_sig_err_nonfatal(int sig_err)
{
	return sig_err == -ENODATA || sig_err == -ENOKEY || sig_err == -ENOPKG;
}

/*
 * Why a module that is not known by its digest is not authenticated by its
 * signature either: words for the log, and a word for the audit record.
 */
static const char *module_sig_failure(int sig_err, const char **cause)
{
	switch (sig_err) {
	case -ENODATA:
		*cause = "unsigned";
		return IS_ENABLED(CONFIG_MODULE_SIG) ? "unsigned" :
			"and this kernel checks no signatures";
	case -ENOKEY:
		*cause = "unavailable-key";
		return "signed with an unavailable key";
	case -ENOPKG:
		*cause = "unsupported-crypto";
		return "signed with unsupported crypto";
	case -ENOMEM:
		*cause = "no-memory";
		return "its signature could not be checked for lack of memory";
	default:
		*cause = "invalid-signature";
		return "its signature is not valid";
	}
}

/*
 * What became of a module that is not authenticated, for the log: @err is
 * the outcome of the whole load, known by the time this is called.
 */
static const char *module_auth_outcome(const struct load_info *info, int err)
{
	if (!module_sig_err_nonfatal(info->auth.sig_err))
		return "rejected in every mode";
	if (info->auth.refused && err == -EKEYREJECTED)
		return "rejected, module.sig_enforce requires authentication";
	if (info->auth.refused)
		return "rejected, lockdown requires authentication";
	if (!err)
		return "loaded unauthenticated, the kernel is tainted";
	return info->auth.tainted ?
		"not loaded, the loader failed; the kernel is tainted" :
		"not loaded, the loader failed";
}

/*
 * An AUDIT_INTEGRITY_DATA record, with the fields and order of the records
 * of IMA's appraisal, so that security tooling sees the modules that were
 * not authenticated: res=1 for one that loaded and tainted the kernel,
 * res=0 for any other, with the error that ended its load.
 */
static void module_auth_audit(const struct load_info *info, const char *cause, int err)
{
	char comm[TASK_COMM_LEN];
	struct audit_buffer *ab;

	ab = audit_log_start(audit_context(), GFP_KERNEL, AUDIT_INTEGRITY_DATA);
	if (!ab)
		return;
	audit_log_format(ab, "pid=%d uid=%u auid=%u ses=%u",
			 task_pid_nr(current),
			 from_kuid(&init_user_ns, current_uid()),
			 from_kuid(&init_user_ns, audit_get_loginuid(current)),
			 audit_get_sessionid(current));
	audit_log_task_context(ab);
	audit_log_format(ab, " op=module_auth cause=%s comm=", cause);
	audit_log_untrustedstring(ab, get_task_comm(comm, current));
	if (info->file) {
		audit_log_d_path(ab, " name=", &info->file->f_path);
		audit_log_format(ab, " dev=");
		audit_log_untrustedstring(ab, file_inode(info->file)->i_sb->s_id);
		audit_log_format(ab, " ino=%llu", file_inode(info->file)->i_ino);
	}
	audit_log_format(ab, " hash=\"sha256:%*phN\" res=%d errno=%d",
			 MODULE_HASHES_SHA256_SIZE, info->auth.digest, !err, err);
	audit_log_end(ab);
}

/*
 * One line, rate limited, and one audit record per module that is neither
 * known nor validly signed, once its outcome @err is known: its file (the
 * loader decides before it parses the module, and must not parse one it
 * rejects), escaped, since a file name may hold any byte but '/' and NUL;
 * its digest, of the image as the loader saw it (decompressed, where
 * MODULE_INIT_COMPRESSED_FILE asked the kernel to decompress it); why;
 * and what became of it.
 */
static void module_auth_report(const struct load_info *info, int err)
{
	static DEFINE_RATELIMIT_STATE(lines, DEFAULT_RATELIMIT_INTERVAL,
				      DEFAULT_RATELIMIT_BURST);
	const char *table = info->auth.listed ?
		"is in .module_hashes but its version checks were ignored" :
		"is not in .module_hashes";
	const char *cause, *why = module_sig_failure(info->auth.sig_err, &cause);
	const char *image = info->auth.decompressed ? " (decompressed)" : "";
	struct name_snapshot name;

	if (__ratelimit(&lines)) {
		if (info->file) {
			take_dentry_name_snapshot(&name, info->file->f_path.dentry);
			pr_notice("module %*pE%s: sha256 %*phN %s, %s: %s\n",
				  (int)name.name.len, name.name.name, image,
				  MODULE_HASHES_SHA256_SIZE, info->auth.digest, table,
				  why, module_auth_outcome(info, err));
			release_dentry_name_snapshot(&name);
		} else {
			pr_notice("module from init_module: sha256 %*phN %s, %s: %s\n",
				  MODULE_HASHES_SHA256_SIZE, info->auth.digest, table,
				  why, module_auth_outcome(info, err));
		}
	}
	/*
	 * The build tree keeps its unstripped modules, which are not the
	 * ones hashed: say so once, for whoever loads them from there.
	 */
	if (IS_ENABLED(CONFIG_MODULE_INSTALL_STRIP) && !info->auth.listed)
		pr_notice_once("module hashes are of the modules as installed, stripped (CONFIG_MODULE_INSTALL_STRIP), not of the build tree's .ko files\n");
	module_auth_audit(info, info->auth.listed ? "versions-ignored" : cause, err);
}

/*
 * Authenticate a module, by its digest or by its signature, and apply the
 * policy to one that is neither known nor validly signed: rejected when
 * enforcing, else let through, to taint the kernel if it loads.  A
 * rejection is reported here; a module let through is reported by
 * module_auth_loaded() once load_module() knows whether it loaded.
 */
int module_auth_check(struct load_info *info, int flags)
{
	int err;

	info->auth.sig_err = -ENODATA;
	info->auth.decompressed = flags & MODULE_INIT_COMPRESSED_FILE;
	if (IS_ENABLED(CONFIG_MODULE_HASHES) && module_hash_check(info, flags))
		return 0;

	err = module_sig_check(info, flags, &info->auth.sig_err);
	if (!IS_ENABLED(CONFIG_MODULE_HASHES) ||
	    info->auth_method != MODULE_AUTH_NONE)
		return err;
	if (err) {
		info->auth.refused = module_sig_err_nonfatal(info->auth.sig_err);
		module_auth_report(info, err);
	} else {
		info->auth.pending = true;
	}
	return err;
}

/*
 * The outcome @err of the load of a module that module_auth_check() let
 * through unauthenticated: loaded (0), or not, and why.
 */
void module_auth_loaded(struct load_info *info, int err)
{
	if (info->auth.pending)
		module_auth_report(info, err);
	info->auth.pending = false;
}
