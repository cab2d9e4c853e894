# bench-report.awk - the report of tools/bench.sh: table on stdout, JSON into `results`
#
# Input: inputs.tsv (case size bytes lines), then raw.tsv
# (case size program rep wall_s rss_kb status note; rep "warmup" lines are ignored).
# Variables: results (JSON path), machine, rev, seed, date, load.

function jstr(s) {
	gsub(/\\/, "\\\\", s)
	gsub(/"/, "\\\"", s)
	gsub(/\t/, " ", s)
	gsub(/[\001-\037]/, "?", s)
	return "\"" s "\""
}
function label(n) {
	if (n == 1000000) return "1M"
	if (n == 100000) return "100k"
	if (n == 10000) return "10k"
	if (n == 0) return "-"
	return n
}
function pname(p) {
	if (p in PN) return PN[p]
	return p
}
# median of the runs of key k (values in V[k, 1..N[k]])
function median(k,    i, j, t, m, a) {
	m = N[k]
	for (i = 1; i <= m; i++) a[i] = V[k, i]
	for (i = 2; i <= m; i++) {
		t = a[i]
		for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]
		a[j + 1] = t
	}
	if (m % 2) return a[(m + 1) / 2]
	return (a[m / 2] + a[m / 2 + 1]) / 2
}
function fmt(x) { return sprintf("%.4f", x) }
function ratio_text(x) { return sprintf("%.2fx", x) }
# time of (case, size, program): net median, or -1 when it has no good runs
function T(c, n, p,    k) {
	k = c SUBSEP n SUBSEP p
	if (!(k in MED)) return -1
	return NET[k]
}
function target(name, status, value, limit, note) {
	NT++
	TN[NT] = name; TS[NT] = status; TV[NT] = value; TL[NT] = limit; TX[NT] = note
}
# target on a ratio a/b <= lim at size n
function ratio_target(name, c, n, a, b, lim,    x, y, why) {
	x = T(c, n, a); y = T(c, n, b)
	if (x < 0 || y <= 0) {
		why = (x < 0) ? why_missing(c, n, a) : why_missing(c, n, b)
		target(name, "MISS", "", lim, "not measured: " why)
		return
	}
	target(name, (x / y <= lim) ? "PASS" : "MISS", sprintf("%.2f", x / y), lim,
	       sprintf("%s %.3f s vs %s %.3f s", pname(a), x, pname(b), y))
}
function why_missing(c, n, p,    k) {
	k = c SUBSEP n SUBSEP p
	if ((k in NOTE) && STATUS[k] == "ok") return pname(p) " measured at " label(n) " only"
	if (k in NOTE) return pname(p) " " STATUS[k] (NOTE[k] != "" ? ": " NOTE[k] : "")
	return pname(p) " not run at " label(n)
}

BEGIN {
	PN["cdb-c"] = "cdb -c"; PN["cdb-c-m"] = "cdb -c -m"
	PN["ff-newaliases"] = "fastforward newaliases"; PN["sm-newaliases"] = "sendmail -bi"
	PN["sm-makemap"] = "makemap hash"; PN["wrap-mount"] = "unshare+mount wrapper"
	PN["wrap-uts"] = "unshare -u wrapper"
	# which wrapper's cost is subtracted from which peer
	WRAP["ff-newaliases"] = "wrap-mount"; WRAP["sm-newaliases"] = "wrap-uts"
	# s2q program -> its peers, per case
	PEERS["newu", "s2q-newu"] = "cdb-c"
	PEERS["aliases-ff", "s2q-aliases"] = "ff-newaliases sm-newaliases cdb-c-m"
	PEERS["aliases", "s2q-aliases"] = "sm-newaliases cdb-c-m"
	PEERS["virtusers", "s2q-virtusers"] = "sm-makemap cdb-c-m"
	nrow = 0
}
FNR == NR {
	IN_BYTES[$1, $2] = $3; IN_LINES[$1, $2] = $4
	ninp++; INP[ninp] = $1 SUBSEP $2
	next
}
$4 == "warmup" && $7 == "ok" { next }
{
	k = $1 SUBSEP $2 SUBSEP $3
	if (!(k in SEEN)) {
		SEEN[k] = 1; nrow++; ROW[nrow] = k
		RC[nrow] = $1; RN[nrow] = $2; RP[nrow] = $3
		STATUS[k] = $7; NOTE[k] = $8
	}
	if ($7 == "ok") {
		N[k]++; V[k, N[k]] = $5 + 0
		if (!(k in MIN) || $5 + 0 < MIN[k]) MIN[k] = $5 + 0
		if (!(k in MAX) || $5 + 0 > MAX[k]) MAX[k] = $5 + 0
		if ($6 + 0 > RSS[k]) RSS[k] = $6 + 0
	} else if (STATUS[k] == "ok" || STATUS[k] == "") {
		STATUS[k] = $7; NOTE[k] = $8
	}
}
END {
	for (i = 1; i <= nrow; i++) {
		k = ROW[i]
		if (N[k] > 0 && STATUS[k] == "ok") MED[k] = median(k)
	}
	# wrapper cost, then net times
	for (i = 1; i <= nrow; i++) {
		k = ROW[i]
		if (!(k in MED)) continue
		NET[k] = MED[k]; NMIN[k] = MIN[k]; NMAX[k] = MAX[k]
		p = RP[i]
		if (p in WRAP) {
			w = "wrapper" SUBSEP 0 SUBSEP WRAP[p]
			if (w in MED) {
				NET[k] = MED[k] - MED[w]; NMIN[k] = MIN[k] - MED[w]; NMAX[k] = MAX[k] - MED[w]
				if (NET[k] < 0) NET[k] = 0
				if (NMIN[k] < 0) NMIN[k] = 0
				if (NMAX[k] < 0) NMAX[k] = 0
				SUB[k] = MED[w]
			}
		}
	}

	# ---- table ----
	printf "\ns2q bench  %s  rev %s  seed %s  %s\n%s (other load on the machine skews times)\n",
	       date, rev, seed, machine, load
	printf "times: wall seconds over the runs (* = net of the peer's namespace wrapper)\n\n"
	printf "%-10s %5s  %-23s %9s %9s %9s %4s %8s  %s\n", "case", "size", "program", "median_s",
	       "min_s", "max_s", "runs", "rss_MB", "ratio to peers"
	for (i = 1; i <= nrow; i++) {
		k = ROW[i]; c = RC[i]; n = RN[i]; p = RP[i]
		if (!(k in MED)) {
			printf "%-10s %5s  %-23s %s%s\n", c, label(n), pname(p), STATUS[k],
			       NOTE[k] != "" ? ": " NOTE[k] : ""
			continue
		}
		rt = ""
		if ((c, p) in PEERS) {
			np = split(PEERS[c, p], pl, " ")
			for (j = 1; j <= np; j++) {
				y = T(c, n, pl[j])
				if (y > 0) {
					RAT[k, pl[j]] = NET[k] / y
					rt = rt (rt == "" ? "" : ", ") ratio_text(NET[k] / y) " " pname(pl[j])
				}
			}
		}
		printf "%-10s %5s  %-23s %9s %9s %9s %4d %8.1f  %s\n", c, label(n),
		       pname(p) ((k in SUB) ? " *" : ""), fmt(NET[k]), fmt(NMIN[k]), fmt(NMAX[k]), N[k],
		       RSS[k] / 1024, rt
	}
	for (i = 1; i <= nrow; i++) {
		k = ROW[i]
		if (k in SUB) {
			printf "\n* net: minus the median of the same wrapper running `true` (%s)\n",
			       "unshare+mount for fastforward, unshare -u+hostname for sendmail"
			break
		}
	}

	# ---- scaling: time(10N) / time(N) for every program with both sizes ----
	printf "\nscaling (time ratio for 10x input):\n"
	ns = 0
	for (i = 1; i <= nrow; i++) {
		k = ROW[i]; c = RC[i]; n = RN[i]; p = RP[i]
		if (!(k in MED) || c == "wrapper") continue
		k2 = c SUBSEP (n * 10) SUBSEP p
		if (!(k2 in MED) || NET[k] <= 0) continue
		ns++
		SC[ns] = c; SN[ns] = n; SP[ns] = p; SR[ns] = NET[k2] / NET[k]
		printf "  %-10s %-23s %5s -> %-5s %6.2fx\n", c, pname(p), label(n), label(n * 10), SR[ns]
	}
	if (ns == 0) printf "  (no program measured at two sizes)\n"

	# ---- targets of issue 9 ----
	M = 1000000
	ratio_target("s2q-aliases, 1M aliases: <= 0.5 x fastforward newaliases", "aliases-ff", M,
		     "s2q-aliases", "ff-newaliases", 0.5)
	ratio_target("s2q-aliases, 1M aliases: <= 3 x cdb -c -m on the same pairs", "aliases-ff", M,
		     "s2q-aliases", "cdb-c-m", 3)
	ratio_target("s2q-newu, 1M lines: <= 2 x cdb -c on the same records", "newu", M,
		     "s2q-newu", "cdb-c", 2)
	x = T("host", M, "s2q-migrate")
	if (x < 0)
		target("s2q-migrate, whole host (1M aliases + 10k x 100): <= 3 s", "MISS", "", 3,
		       "not measured: " why_missing("host", M, "s2q-migrate"))
	else
		target("s2q-migrate, whole host (1M aliases + 10k x 100): <= 3 s", x <= 3 ? "PASS" : "MISS",
		       sprintf("%.3f", x), 3, "seconds")
	k = "host" SUBSEP M SUBSEP "s2q-migrate"
	if (!(k in MED))
		target("s2q-migrate, whole host: peak RSS <= 2 x input bytes", "MISS", "", 2,
		       "not measured: " why_missing("host", M, "s2q-migrate"))
	else {
		b = IN_BYTES["host", M]
		target("s2q-migrate, whole host: peak RSS <= 2 x input bytes",
		       RSS[k] * 1024 <= 2 * b ? "PASS" : "MISS", sprintf("%.2f", RSS[k] * 1024 / b), 2,
		       sprintf("peak RSS %.1f MB, input %.1f MB", RSS[k] / 1024, b / 1048576))
	}
	x = T("host", M, "s2q-route")
	if (x < 0)
		target("s2q-route --all, whole host: <= 10 s", "MISS", "", 10,
		       "not measured: " why_missing("host", M, "s2q-route"))
	else
		target("s2q-route --all, whole host: <= 10 s", x <= 10 ? "PASS" : "MISS", sprintf("%.3f", x),
		       10, "seconds")
	nsc = 0
	for (i = 1; i <= ns; i++) {
		if (SP[i] !~ /^s2q-/) continue
		nsc++
		target(sprintf("scaling %s %s %s -> %s: <= 11 x time", SC[i], SP[i], label(SN[i]),
			       label(SN[i] * 10)), SR[i] <= 11 ? "PASS" : "MISS", sprintf("%.2f", SR[i]), 11,
		       "time ratio for 10x input")
	}
	for (i = 1; i <= nrow; i++) {
		# s2q programs that could not be measured at two sizes have an unproven scaling target
		p = RP[i]
		if (p !~ /^s2q-/ || (RC[i], p) in SCALED) continue
		SCALED[RC[i], p] = 1
		found = 0
		for (j = 1; j <= ns; j++) if (SC[j] == RC[i] && SP[j] == p) found = 1
		if (!found)
			target(sprintf("scaling %s %s: 10 x input -> <= 11 x time", RC[i], p), "MISS", "", 11,
			       "not measured at two sizes: " why_missing(RC[i], RN[i], p))
	}
	printf "\ntargets (issue 9):\n"
	for (i = 1; i <= NT; i++)
		printf "%s  %s%s%s\n", TS[i], TN[i], TV[i] != "" ? "  [" TV[i] "]" : "",
		       TX[i] != "" ? "  (" TX[i] ")" : ""

	# ---- JSON ----
	printf "{\n  \"generated\": %s,\n  \"revision\": %s,\n  \"seed\": %s,\n  \"machine\": %s,\n",
	       jstr(date), jstr(rev), seed + 0, jstr(machine) > results
	printf "  \"load\": %s,\n", jstr(load) > results
	printf "  \"inputs\": [" > results
	for (i = 1; i <= ninp; i++) {
		split(INP[i], a, SUBSEP)
		printf "%s\n    {\"case\": %s, \"size\": %d, \"bytes\": %d, \"lines\": %d}", (i > 1 ? "," : ""),
		       jstr(a[1]), a[2], IN_BYTES[INP[i]], IN_LINES[INP[i]] > results
	}
	printf "\n  ],\n  \"results\": [" > results
	for (i = 1; i <= nrow; i++) {
		k = ROW[i]
		printf "%s\n    {\"case\": %s, \"size\": %d, \"program\": %s, \"status\": %s", (i > 1 ? "," : ""),
		       jstr(RC[i]), RN[i], jstr(pname(RP[i])), jstr(STATUS[k]) > results
		if (NOTE[k] != "") printf ", \"note\": %s", jstr(NOTE[k]) > results
		if (k in MED) {
			printf ", \"runs\": %d, \"median_s\": %.6f, \"min_s\": %.6f, \"max_s\": %.6f, \"peak_rss_kb\": %d",
			       N[k], NET[k], NMIN[k], NMAX[k], RSS[k] > results
			if (k in SUB) printf ", \"raw_median_s\": %.6f, \"wrapper_s\": %.6f", MED[k], SUB[k] > results
			printf ", \"wall_s\": [" > results
			for (j = 1; j <= N[k]; j++) printf "%s%.6f", (j > 1 ? ", " : ""), V[k, j] > results
			printf "]" > results
			if ((RC[i], RP[i]) in PEERS) {
				np = split(PEERS[RC[i], RP[i]], pl, " ")
				first = 1
				for (j = 1; j <= np; j++) {
					if ((k, pl[j]) in RAT) {
						printf "%s%s: %.4f", first ? ", \"ratio\": {" : ", ", jstr(pname(pl[j])),
						       RAT[k, pl[j]] > results
						first = 0
					}
				}
				if (!first) printf "}" > results
			}
		}
		printf "}" > results
	}
	printf "\n  ],\n  \"scaling\": [" > results
	for (i = 1; i <= ns; i++)
		printf "%s\n    {\"case\": %s, \"program\": %s, \"from\": %d, \"to\": %d, \"time_ratio\": %.4f}",
		       (i > 1 ? "," : ""), jstr(SC[i]), jstr(pname(SP[i])), SN[i], SN[i] * 10, SR[i] > results
	printf "\n  ],\n  \"targets\": [" > results
	for (i = 1; i <= NT; i++)
		printf "%s\n    {\"target\": %s, \"status\": %s, \"value\": %s, \"limit\": %s, \"note\": %s}",
		       (i > 1 ? "," : ""), jstr(TN[i]), jstr(TS[i]), TV[i] != "" ? TV[i] : "null", TL[i],
		       jstr(TX[i]) > results
	printf "\n  ]\n}\n" > results
	close(results)
	printf "\nJSON: %s\n", results
}
