#!/bin/sh
# cf-features.sh - FEATURE fingerprints (../shared/ref/sendmail.md §1.8): generate a cf
# with the real m4 macros (sendmail-cf) for a base .mc and for the base plus one FEATURE
# or macro at a time; s2q-cf --show --json must report that feature on, where the base
# has it off.  Needs m4 and /usr/share/sendmail/cf (make deps); skipped without them,
# but never with CI=true.
script=cf-features
. "$(dirname "$0")/lib.inc"
cfdir=${S2Q_SENDMAIL_CF:-/usr/share/sendmail/cf}
if ! command -v m4 >/dev/null 2>&1 || [ ! -f "$cfdir/m4/cf.m4" ]; then
	if [ "${CI:-}" = true ]; then
		notok "m4 and $cfdir are needed with CI=true (make deps)"
	else
		skip "FEATURE fingerprints" "m4 or $cfdir missing (make deps)"
	fi
	exit 0
fi

# gen NAME EXTRA_LINES: NAME.cf from the base .mc plus the extra lines
gen() {
	mkdir -p "$scratch/$1/etc/mail"
	cat >"$scratch/$1.mc" <<EOF
include(\`$cfdir/m4/cf.m4')dnl
VERSIONID(\`s2q cf-features')dnl
OSTYPE(\`linux')dnl
FEATURE(\`virtusertable')dnl
FEATURE(\`mailertable')dnl
FEATURE(\`access_db')dnl
$2
MAILER(\`local')dnl
MAILER(\`smtp')dnl
EOF
	m4 "$scratch/$1.mc" >"$scratch/$1/etc/mail/sendmail.cf" 2>/dev/null
	"$S2Q_BIN/s2q-cf" --show --json --root "$scratch/$1" --hostname mx.example.test \
		>"$scratch/$1.json" 2>/dev/null
}

has() { grep -q "\"$2\":true" "$scratch/$1.json"; }

gen base ""
base_ok=1
for f in virtusertable mailertable access_db; do
	has base $f || base_ok=0
done
check "base .mc: virtusertable, mailertable, access_db on" [ $base_ok = 1 ]

# NAME|mc lines|feature expected on (off in the base)
while IFS='|' read -r name lines feat; do
	[ -n "$name" ] || continue
	gen "$name" "$(printf '%b' "$lines")"
	if has base "$feat"; then
		notok "$name: $feat already on in the base"
	elif has "$name" "$feat"; then
		ok "$name: $feat"
	else
		notok "$name: $feat not detected"
	fi
done <<'EOF'
virtuser_entire_domain|FEATURE(`virtuser_entire_domain')dnl|virtuser_entire_domain
stickyhost|define(`MAIL_HUB', `hub.example.net')dnl\nFEATURE(`stickyhost')dnl|stickyhost
preserve_local_plus_detail|FEATURE(`preserve_local_plus_detail')dnl|preserve_local_plus_detail
nocanonify|FEATURE(`nocanonify')dnl|nocanonify
relay_entire_domain|FEATURE(`relay_entire_domain')dnl|relay_entire_domain
relay_hosts_only|FEATURE(`relay_hosts_only')dnl|relay_hosts_only
relay_based_on_MX|FEATURE(`relay_based_on_MX')dnl|relay_based_on_MX
relay_local_from|FEATURE(`relay_local_from')dnl|relay_local_from
relay_mail_from|FEATURE(`relay_mail_from')dnl|relay_mail_from
loose_relay_check|FEATURE(`loose_relay_check')dnl|loose_relay_check
promiscuous_relay|FEATURE(`promiscuous_relay')dnl|promiscuous_relay
accept_unresolvable_domains|FEATURE(`accept_unresolvable_domains')dnl|accept_unresolvable_domains
accept_unqualified_senders|FEATURE(`accept_unqualified_senders')dnl|accept_unqualified_senders
masquerade_envelope|MASQUERADE_AS(`example.com')dnl\nFEATURE(`masquerade_envelope')dnl|masquerade_envelope
masquerade_entire_domain|MASQUERADE_AS(`example.com')dnl\nFEATURE(`masquerade_entire_domain')dnl|masquerade_entire_domain
limited_masquerade|MASQUERADE_AS(`example.com')dnl\nFEATURE(`limited_masquerade')dnl|limited_masquerade
allmasquerade|MASQUERADE_AS(`example.com')dnl\nFEATURE(`allmasquerade')dnl|allmasquerade
delay_checks|FEATURE(`delay_checks')dnl|delay_checks
blocklist_recipients|FEATURE(`blocklist_recipients')dnl|blocklist_recipients
genericstable|FEATURE(`genericstable')dnl|genericstable
generics_entire_domain|FEATURE(`genericstable')dnl\nFEATURE(`generics_entire_domain')dnl|generics_entire_domain
domaintable|FEATURE(`domaintable')dnl|domaintable
use_cw_file|FEATURE(`use_cw_file')dnl|use_cw_file
use_ct_file|FEATURE(`use_ct_file')dnl|use_ct_file
nouucp|FEATURE(`nouucp', `reject')dnl|nouucp
nopercenthack|FEATURE(`nopercenthack')dnl|nopercenthack
redirect|FEATURE(`redirect')dnl|redirect
smrsh|FEATURE(`smrsh')dnl|smrsh
luser_relay|define(`LUSER_RELAY', `local:lost')dnl|LUSER_RELAY
mail_hub|define(`MAIL_HUB', `hub.example.net')dnl|MAIL_HUB
local_relay|define(`LOCAL_RELAY', `relay.example.net')dnl|LOCAL_RELAY
smart_host|define(`SMART_HOST', `[smart.example.net]')dnl|SMART_HOST
masquerade_as|MASQUERADE_AS(`example.com')dnl|MASQUERADE_AS
EOF

# nullclient is a whole different cf
cat >"$scratch/nc.mc" <<EOF
include(\`$cfdir/m4/cf.m4')dnl
OSTYPE(\`linux')dnl
FEATURE(\`nullclient', \`hub.example.net')dnl
EOF
mkdir -p "$scratch/nc/etc/mail"
m4 "$scratch/nc.mc" >"$scratch/nc/etc/mail/sendmail.cf" 2>/dev/null
"$S2Q_BIN/s2q-cf" --show --json --root "$scratch/nc" --hostname mx.example.test >"$scratch/nc.json" 2>/dev/null
if has nc nullclient && ! has base nullclient; then ok "nullclient"; else notok "nullclient not detected"; fi
