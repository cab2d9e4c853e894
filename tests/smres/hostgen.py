#!/usr/bin/env python3
"""hostgen.py - generated sendmail hosts for held-out differential runs (not part of make check).

    python3 tests/smres/hostgen.py OUTDIR FIRSTSEED N

writes N case directories OUTDIR/gNNN (NNN = the seed), each with the layout of a
tests/smres case (hostname, root/etc/mail/sendmail.mc and its data files,
root/etc/passwd, hosts, shells, root/home/USER/.forward, extra-addresses,
check_rcpt-client).  Same seed, same bytes.  Then, with the real sendmail
(root; see tests/smres/README.md "Held-out hosts"):

    cp -R OUTDIR/g* tests/smres/ && sh tests/smres/record.sh --regen gNNN... &&
    sh tests/smres/record.sh gNNN...          (copy the recordings back, remove the copies)
    sh tests/smres/hostcmp.sh OUTDIR          smresolve against every recording

The hosts mix what real sendmail hosts carry (m4 features, aliases with lists,
:include:, programs, files, owner- and -request names, .forward files,
virtusertable, mailertable, domaintable, relay domains) with the corners where
sendmail's own rules decide (self references, loops, depth limits, +detail,
stickyhost, LUSER_RELAY, quoting).  A case that shows a difference is kept as a
tests/smres case with a comment saying what it checks.
"""
import os
import random
import sys

SYL = ["ka", "mo", "ri", "te", "su", "na", "lo", "pe", "vi", "da", "zu", "ge", "ho", "bi"]


def word(rng, n=None):
    n = n or rng.randint(2, 3)
    return "".join(rng.choice(SYL) for _ in range(n))


class Host:
    def __init__(self, seed):
        self.seed = seed
        self.rng = random.Random(seed * 7919 + 17)
        r = self.rng
        self.name = "g%03d" % seed
        self.dom = "g%03d.example.test" % seed
        self.fqdn = r.choice(["mx", "mail", "smtp"]) + "." + self.dom
        self.files = {}
        self.feat = {}
        # class w: the host, the bare domain, perhaps more names in odd case
        self.w = [self.dom]
        for extra in ("www", "lists", "Old"):
            if r.random() < 0.35:
                self.w.append("%s.%s" % (extra, self.dom))
        if r.random() < 0.3:
            self.w.append("Other%03d.example" % seed)
        self.vdoms = ["v%d.g%03d.example" % (i + 1, seed) for i in range(r.randint(0, 3))]
        self.users = []
        self.aliases = []
        self.alias_names = []
        self.lists = {}
        self.forwards = {}

    def pick_user(self):
        return self.rng.choice(self.users)[0]

    def target(self, depth=0, allow_special=True):
        """one alias / .forward / list target"""
        r = self.rng
        k = r.random()
        if k < 0.28:
            return self.pick_user()
        if k < 0.40 and self.alias_names:
            return r.choice(self.alias_names)
        if k < 0.48:
            return "%s@%s" % (word(r), r.choice(["remote.example.org", "partner.example.net",
                                                  "sub.relayed.example.com"]))
        if k < 0.55:
            return "%s@%s" % (r.choice([self.pick_user()] + self.alias_names[:3]),
                              r.choice(self.w + [self.fqdn]))
        if k < 0.60:
            return "\\" + self.pick_user()
        if k < 0.65:
            return "%s+%s" % (self.pick_user(), word(r, 1))
        if k < 0.70:
            return "nosuch" + word(r, 1)
        if k < 0.74 and self.vdoms:
            return "%s@%s" % (r.choice(["info", "sales", word(r)]), r.choice(self.vdoms))
        if not allow_special:
            return self.pick_user()
        if k < 0.80:
            return '"|/usr/bin/prog %s"' % word(r)
        if k < 0.84:
            return "/var/spool/%s" % word(r)
        if k < 0.89 and self.lists:
            return ":include:/etc/mail/lists/" + r.choice(sorted(self.lists))
        if k < 0.92:
            return r.choice(["error:nouser No such user", "error:5.1.1:550 gone",
                             "error:5.2.2:552 mailbox full"])
        if k < 0.95:
            return r.choice(["/dev/null", "root", "postmaster"])
        return self.pick_user().upper()

    def gen_features(self):
        r = self.rng
        f = self.feat
        f["domain_name"] = r.random() < 0.25
        f["smart"] = r.random() < 0.5
        f["hub"] = r.random() < 0.12
        f["local_relay"] = r.random() < 0.08
        f["luser"] = r.choice([None, None, None, "smtp:lost.example.net", "local:" + self.pick_user(),
                               "error:5.1.1:550 unknown here"])
        f["sticky"] = r.random() < 0.3
        f["always_add"] = r.random() < 0.5
        f["redirect"] = r.random() < 0.3
        f["maxrec"] = r.choice([None, None, 2, 3, 5, 8])
        f["blank"] = r.choice([None, "_", "-"])
        f["virt"] = bool(self.vdoms) or r.random() < 0.3
        f["virt_entire"] = f["virt"] and r.random() < 0.5
        f["mailertable"] = r.random() < 0.5
        f["domaintable"] = r.random() < 0.3
        f["relay_entire"] = r.random() < 0.3
        f["nouucp"] = r.random() < 0.2
        f["preserve_plus"] = r.random() < 0.15
        f["two_alias_files"] = r.random() < 0.2

    def gen_users(self):
        r = self.rng
        shells = ["/bin/bash", "/bin/sh", "/bin/bash", "/bin/false", "/usr/sbin/nologin"]
        names = set()
        for i in range(r.randint(4, 9)):
            n = word(r)
            if n in names:
                continue
            names.add(n)
            self.users.append((n, 2001 + i, r.choice(shells)))
        for n in ("alice", "bob"):
            if n not in names:
                self.users.append((n, 3000 + len(self.users), "/bin/bash"))

    def gen_lists(self):
        r = self.rng
        for i in range(r.randint(0, 3)):
            self.lists["l%d" % (i + 1)] = None

    def gen_aliases(self):
        r = self.rng
        n = r.randint(14, 30)
        for i in range(n):
            k = r.random()
            if k < 0.1:
                nm = "owner-%s" % (self.alias_names[-1] if self.alias_names else word(r))
            elif k < 0.16:
                nm = "%s-request" % word(r)
            elif k < 0.24:
                nm = "%s+%s" % (self.pick_user(), word(r, 1))
            elif k < 0.3:
                nm = self.pick_user()
            else:
                nm = "al" + word(r)
            self.alias_names.append(nm.lower())
        self.alias_names = sorted(set(self.alias_names), key=self.alias_names.index)
        lines = ["# aliases of %s" % self.fqdn, "postmaster: root",
                 "MAILER-DAEMON: postmaster", "root: " + self.pick_user()]
        for nm in self.alias_names:
            k = r.random()
            if k < 0.08:
                val = [nm]
                val += [self.target() for _ in range(r.randint(0, 2))]
                r.shuffle(val)
            elif k < 0.13:
                val = ["%s@%s" % (nm, r.choice(self.w + [self.fqdn])), self.target()]
            elif k < 0.17:
                val = ["\\" + nm if nm in [u[0] for u in self.users] else nm, self.target()]
            else:
                val = [self.target() for _ in range(r.choice([1, 1, 1, 2, 3, 4]))]
            shown = nm if r.random() < 0.85 else nm.capitalize()
            sep = r.choice([", ", ",", " , "])
            if len(val) > 2 and r.random() < 0.3:
                lines.append("%s: %s,\n\t%s" % (shown, sep.join(val[:2]), sep.join(val[2:])))
            else:
                lines.append("%s: %s" % (shown, sep.join(val)))
            if r.random() < 0.05:
                lines.append("# " + word(r))
        # a loop, a chain deeper than MaxAliasRecursion, quoted and blank names
        a, b = "loop" + word(r, 1), "loop" + word(r, 1) + "x"
        lines += ["%s: %s, %s" % (a, b, self.pick_user()), "%s: %s" % (b, a)]
        chain = ["ch%d%s" % (i, word(r, 1)) for i in range(r.randint(3, 10))]
        for x, y in zip(chain, chain[1:]):
            lines.append("%s: %s" % (x, y))
        lines.append("%s: %s" % (chain[-1], self.target(allow_special=False)))
        self.alias_names += [a, b] + chain
        if r.random() < 0.3:
            lines.append('"%s %s": %s' % (word(r), word(r), self.pick_user()))
        if r.random() < 0.3:
            lines.append("%s %s: %s" % (word(r), word(r), self.pick_user()))
        if r.random() < 0.2:
            lines.append("%s@%s: %s" % ("dom" + word(r), self.dom, self.target()))
        if self.feat["two_alias_files"]:
            cut = len(lines) * 2 // 3
            self.files["etc/mail/aliases"] = "\n".join(lines[:cut]) + "\n"
            extra = lines[cut:]
            if r.random() < 0.5 and len(lines) > 6:
                extra.append(lines[5])		# the same name in both files: the first file wins
            self.files["etc/mail/aliases.local"] = "\n".join(extra) + "\n"
        else:
            self.files["etc/mail/aliases"] = "\n".join(lines) + "\n"
        for l in self.lists:
            body = [self.target(allow_special=r.random() < 0.5) for _ in range(r.randint(0, 4))]
            self.files["etc/mail/lists/" + l] = "".join(x + "\n" for x in body)

    def gen_forwards(self):
        r = self.rng
        for (u, _uid, _sh) in self.users:
            if r.random() < 0.4:
                k = r.random()
                if k < 0.3:
                    body = ["\\" + u, self.target()]
                elif k < 0.45:
                    body = [u + "@" + self.fqdn]
                elif k < 0.55:
                    body = [self.target(), "\\" + u] if r.random() < 0.5 else [u]
                else:
                    body = [self.target() for _ in range(r.randint(1, 3))]
                self.forwards[u] = "".join(x + "\n" for x in body)

    def gen_virt(self):
        r = self.rng
        if not self.feat["virt"]:
            return
        lines = []
        doms = self.vdoms or [self.dom]
        for d in doms:
            for lp in r.sample(["info", "sales", "support", word(r), word(r), self.pick_user()],
                               r.randint(2, 5)):
                k = r.random()
                if k < 0.3:
                    t = self.pick_user()
                elif k < 0.45 and self.alias_names:
                    t = r.choice(self.alias_names)
                elif k < 0.6:
                    t = "%s@remote.example.org" % word(r)
                elif k < 0.7:
                    t = "error:nouser No such user"
                elif k < 0.8:
                    t = "%s+%%2" % self.pick_user()
                elif k < 0.9:
                    t = "%s@%s" % (self.pick_user(), r.choice(self.w))
                else:
                    t = "%s@%s" % (word(r), r.choice(doms))
                lines.append("%s@%s\t%s" % (lp, d, t))
            if r.random() < 0.3:
                lines.append("%s+*@%s\t%s" % (self.pick_user(), d, self.pick_user()))
            k = r.random()
            if k < 0.35:
                lines.append("@%s\t%%1@remote.example.org" % d)
            elif k < 0.6:
                lines.append("@%s\t%s" % (d, self.pick_user()))
            elif k < 0.75:
                lines.append("@%s\terror:nouser No such user here" % d)
        if r.random() < 0.3:
            lines.append("%s@%s\t%s" % (word(r), self.dom, self.pick_user()))
        self.files["etc/mail/virtusertable"] = "\n".join(lines) + "\n"

    def gen_maps(self):
        r = self.rng
        if self.feat["mailertable"]:
            mt = ["gone.mt.example\terror:5.1.2:550 Host gone",
                  "plain.mt.example\tsmtp:[gw.example.net]",
                  ".wild.mt.example\trelay:[wild-relay.example.net]",
                  "tolocal.mt.example\tlocal:" + self.pick_user()]
            if r.random() < 0.5:
                mt.append(".\tesmtp:[default.example.net]")
            if r.random() < 0.4:
                mt.append("self.mt.example\tlocal:")
            self.files["etc/mail/mailertable"] = "\n".join(r.sample(mt, len(mt))) + "\n"
        if self.feat["domaintable"]:
            self.files["etc/mail/domaintable"] = "old.%s\t%s\nold2.%s\tpartner.example.net\n" % (
                self.name + ".example", self.dom, self.name + ".example")
        self.files["etc/mail/relay-domains"] = "partner.example.net\n"

    def mc(self):
        f = self.feat
        r = self.rng
        out = ["divert(-1)dnl",
               "# generated host %s (tests/smres/hostgen.py, seed %d)" % (self.name, self.seed),
               "# Rebuild: m4 sendmail.mc > sendmail.cf (tests/smres/record.sh --regen)",
               "divert(0)dnl",
               "include(`/usr/share/sendmail/cf/m4/cf.m4')dnl",
               "VERSIONID(`hostgen %d')dnl" % self.seed,
               "OSTYPE(`linux')dnl",
               "define(`confDONT_PROBE_INTERFACES', `True')dnl"]
        if f["domain_name"]:
            out.append("define(`confDOMAIN_NAME', `relay.%s')dnl" % self.dom)
        if f["two_alias_files"]:
            out.append("define(`ALIAS_FILE', `/etc/mail/aliases,/etc/mail/aliases.local')dnl")
        if f["smart"]:
            out.append("define(`SMART_HOST', `%s')dnl" % r.choice(["[smart.example.net]",
                                                                   "relay:smart.example.net"]))
        if f["hub"]:
            out.append("define(`MAIL_HUB', `hub.example.net')dnl")
        if f["local_relay"]:
            out.append("define(`LOCAL_RELAY', `lrelay.example.net')dnl")
        if f["luser"]:
            out.append("define(`LUSER_RELAY', `%s')dnl" % f["luser"])
        if f["maxrec"]:
            out.append("define(`confMAX_ALIAS_RECURSION', `%d')dnl" % f["maxrec"])
        if f["blank"]:
            out.append("define(`confBLANK_SUB', `%s')dnl" % f["blank"])
        for k, m4 in (("sticky", "stickyhost"), ("always_add", "always_add_domain"),
                      ("redirect", "redirect"), ("relay_entire", "relay_entire_domain"),
                      ("preserve_plus", "preserve_local_plus_detail")):
            if f[k]:
                out.append("FEATURE(`%s')dnl" % m4)
        if f["nouucp"]:
            out.append("FEATURE(`nouucp', `reject')dnl")
        out.append("FEATURE(`use_cw_file')dnl")
        if f["virt"]:
            out.append("FEATURE(`virtusertable')dnl")
            if f["virt_entire"]:
                out.append("FEATURE(`virtuser_entire_domain')dnl")
            for d in self.vdoms:
                out.append("VIRTUSER_DOMAIN(`%s')dnl" % d)
        if f["mailertable"]:
            out.append("FEATURE(`mailertable')dnl")
        if f["domaintable"]:
            out.append("FEATURE(`domaintable')dnl")
        out += ["MAILER(`local')dnl", "MAILER(`smtp')dnl"]
        return "\n".join(out) + "\n"

    def write(self, outdir):
        r = self.rng
        self.gen_users()
        self.gen_features()
        self.gen_lists()
        self.gen_aliases()
        self.gen_forwards()
        self.gen_virt()
        self.gen_maps()
        d = os.path.join(outdir, self.name)
        files = dict(self.files)
        files["hostname"] = self.fqdn + "\n"
        files["etc/mail/sendmail.mc"] = self.mc()
        files["etc/mail/local-host-names"] = "".join(x + "\n" for x in self.w)
        pw = ["root:x:0:0:root:/root:/bin/bash", "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin",
              "mail:x:8:8:mail:/var/mail:/usr/sbin/nologin",
              "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin"]
        pw += ["%s:x:%d:%d:%s:/home/%s:%s" % (u, uid, uid, u.capitalize(), u, sh)
               for (u, uid, sh) in self.users]
        files["etc/passwd"] = "\n".join(pw) + "\n"
        files["etc/hosts"] = "127.0.0.1\tlocalhost\n192.0.2.7\t%s %s\n" % (
            self.fqdn, self.fqdn.split(".")[0])
        files["etc/shells"] = "/bin/sh\n/bin/bash\n"
        for u, body in self.forwards.items():
            files["home/%s/.forward" % u] = body
        extra = []
        for dd in self.w + [self.fqdn]:
            u = self.pick_user()
            extra += ["%s+tag@%s" % (u, dd), "%s@%s" % (u.upper(), dd.upper())]
            if self.alias_names:
                a = r.choice(self.alias_names)
                extra += ["%s+x@%s" % (a, dd), "%s@%s" % (a, dd)]
        for dd in self.vdoms:
            extra += ["nosuch@" + dd, "info+tag@" + dd, "INFO@" + dd.upper()]
        u = self.pick_user()
        extra += ["%s%%%s@%s" % (u, self.dom, self.fqdn), "%s!%s" % (self.fqdn, u),
                  "someone%%remote.example.org@%s" % self.dom, '"%s"@%s' % (u, self.dom),
                  "%s.%s@%s" % (u, u, self.dom), "<%s@%s>" % (u, self.dom)]
        for a in r.sample(self.alias_names, min(4, len(self.alias_names))):
            extra.append("owner-" + a)
        files["extra-addresses"] = "".join(x + "\n" for x in extra)
        files["check_rcpt-client"] = "203.0.113.77\n"
        for rel, body in files.items():
            p = os.path.join(d, rel if rel in ("hostname", "extra-addresses", "check_rcpt-client")
                             else "root/" + rel)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "w") as fh:
                fh.write(body)


def main():
    if len(sys.argv) != 4:
        sys.stderr.write("usage: hostgen.py OUTDIR FIRSTSEED N\n")
        sys.exit(100)
    out, first, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    for s in range(first, first + n):
        Host(s).write(out)


main()
