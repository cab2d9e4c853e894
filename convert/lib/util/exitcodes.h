/* exitcodes - the one exit-code table of every s2q program (do not renumber) */
#ifndef S2Q_EXITCODES_H
#define S2Q_EXITCODES_H

#define S2Q_EXIT_OK	0	/* success; for s2q-diff and s2q-route: no difference */
#define S2Q_EXIT_DIFF	1	/* s2q-diff, s2q-route: differences found */
#define S2Q_EXIT_PERM	100	/* permanent: bad usage or bad input; rerunning won't help */
#define S2Q_EXIT_TEMP	111	/* temporary: I/O, memory; rerunning may help */

#endif
