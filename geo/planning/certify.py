"""Certified capacitated location at region scale: a sparse LP with cuts and pricing, a
Lagrangian lower bound, for maximal coverage a level relaxation solved by branch and bound,
and exact evaluation of the candidate networks.

The problem (the capacitated p-median; maximal coverage is the same problem with 0/1 costs):
pupil groups ``g`` (weight ``w_g`` pupils), candidate schools ``j`` (capacity ``cap_j``),
per-pupil cost ``c_gj`` (clipped at the per-pupil cost ``U`` of an unserved pupil), open
flags ``y_j``, shares ``x_gj`` of group ``g`` at ``j`` and unserved shares ``z_g``::

    minimise   sum_gj w_g c_gj x_gj + sum_g w_g U z_g
    subject to sum_j x_gj + z_g = 1                 (every pupil placed or unserved)
               sum_g w_g x_gj <= cap_j y_j          (capacity)
               x_gj <= y_j                          (strong linking)
               sum_j y_j = p   or   sum_j a_j y_j <= budget,   y binary.

At Vidzeme scale (33,000 groups x 149 schools) the full LP has about 5 million arcs and as
many linking rows, which HiGHS cannot solve within a minute. Two paths:
:func:`solve_certified` takes steps 1-3 below up to :data:`SCALE_PAIRS` group x school pairs
(where the sparse LP finishes and is the strongest bound), and step 4 above it, or step 5
when the ``p`` largest capacities cannot hold every pupil (:func:`short_of_room`). Maximal
coverage (``Problem.cost_step`` set) first takes step 0, which at Vidzeme scale proves the
target gap alone.

0. **Level relaxation** (maximal coverage: costs are 0 within the threshold, 1 beyond, 2
   unserved, plus a tie-break of 1e-5 per minute). Each group's costs are rounded *down* to
   ``m_g + step * level_gj`` (``m_g`` its cheapest allowed cost, ``level = floor((c_gj -
   m_g) / step)``; unserved: ``U - m_g``, lowered to the smallest of the pattern), so that
   ``sum_g w_g m_g`` plus the optimum of the rounded problem is a lower bound. Groups with the
   same levels on every school are the same in the rounded problem and are merged into one
   *pattern* (weights summed: any split of a pattern's pupils is a split of its groups'); a
   pattern's arcs below its top level stay (strongly linked), its top-level arcs (any
   allowed school at the same cost) go through a *pool* shared by the patterns with that top
   level and the same allowed schools (one flow per pool and school, linked by capacity
   only). On Vidzeme 33,354 groups become 3,502 patterns with 26,360 arcs and 6 pools, a
   MILP of 30,000 rows that HiGHS handles in seconds (:func:`level_model`,
   :func:`level_milp`); 1,796.3 of coverage p=100's 1,835 is the groups' ``m_g`` (pupils with
   no school within the threshold, and the tie-break floor). Three stages, each stopping once
   the target gap is proven: the LP relaxation (the bound; linking rows added as it
   violates them, 9 LPs and 2,534 of 26,360 rows at p=60, 1-4 s; :func:`level_lp`); the
   MILP with the LP's integral ``y`` fixed, a branch and bound over the 0-13 fractional
   schools (the first network, 1-4 s; :func:`fixed_network`); the whole level MILP from that
   network
   (HiGHS's dual bound and best network; :func:`solve_levels`). The networks are evaluated
   exactly. The tie-break term beyond ``m_g`` is what the rounding loses (0.9-1.9 pupils at
   p=60/100, below 0.1 %); without ties the rounding loses nothing and the level MILP is the
   problem itself (``tests/test_certify_levels.py``).

1. **Sparse LP with column and cut generation** (HiGHS dual simplex through ``highspy``,
   warm-started after every change). Start with each group's ``k`` cheapest schools, and
   linking rows for the arcs of the heaviest groups only (a fifth of the pupils; the others
   are linked by the capacity row alone, a relaxation). Repeat: add the linking rows the LP solution violates
   (``x_gj > y_j``), and price every omitted arc against the duals (reduced cost
   ``w_g (c_gj + pi_j) - lambda_g < 0``: add it with its linking row); stop when nothing is
   violated and nothing prices out (then the LP is the full strong LP) or on the time limit.
2. **Lagrangian bound** (always valid, whatever the state of step 1): relax the assignment
   rows with the LP's duals ``lambda``; the rest splits into one continuous knapsack per
   school over *all* arcs (fill the capacity with the most negative ``c_gj - lambda_g /
   w_g``) and a choice of ``p`` schools (or a fractional knapsack on the budget):
   ``L(lambda) <= optimum``. It is the lower bound reported.
3. **Candidate networks** (upper bounds): the LP's schools rounded (the ``p`` largest
   ``y``), the Lagrangian's schools, and the best network of HiGHS's branch and bound on the
   final sparse model (time-limited); each is evaluated *exactly* with the full
   capacity-constrained assignment (:func:`geo.planning.assign.assign`, every arc); the best
   is kept. The gap is ``(best - bound) / (bound - constant)``, the constant being the cost of
   groups no candidate can serve.
4. **Region scale: the Lagrangian dual optimised directly** (no LP). ``L(mu)`` of step 2 is
   maximised over the multipliers by subgradient ascent (:func:`ascend`), started from each
   group's second-cheapest cost. Each step is one vectorised evaluation
   (:class:`ArcLagrangian`): only each group's 25 cheapest schools are kept and ``mu_g`` is
   clipped at the 26th cheapest cost, so every omitted arc has a non-negative reduced cost
   and the value on the kept arcs is exactly ``L`` at those multipliers (a valid bound at
   every step; only binding knapsacks are sorted). Steps are per pupil (``mu_g += t (1 -
   served_g)``, Polyak's ``t`` towards the incumbent): steps on ``lambda_g = w_g mu_g``
   left the many tiny groups (median 0.1 pupil) behind and stalled 20,000 below. The
   average of the steps' school choices (the Volume algorithm's primal estimate, which
   approaches the LP's ``y``) is rounded to ``p`` schools and evaluated exactly: on Vidzeme
   p=60 that network (460,343) beats the LP rounding of steps 1-3 (466,586) by 1.3 %.

   The ascent runs in two phases: 150 steps aiming 2 % (doubling while it keeps rising)
   above its best bound, then up to 600 steps towards the incumbent from the first
   phase's rounding; each phase ends at 25 % / 55 % of the time limit or as soon as the
   bound proves the target gap. The candidates are the rounded average ``y`` of the second
   half of each phase, of the last quarter, and the best step's own choice (the later ones
   only while the gap is not yet proven).

   Measured on the prepared Vidzeme-scale demo (33,354 groups x 149 schools, capacities
   binding; step counts reached, the shared machine at load 8-11, so ~4x slower than
   quiet): p=60, 750 steps: network 459,374, bound 455,451, proven gap 0.86 % (the LP
   path: 466,586 / 451,148 / 3.4 %); p=100: 0.24 % after 400 steps (LP path 3.7 %);
   p=130: 0.06 % (again on 2026-12-03, load 2.5: 0.883 / 0.192 / 0.058 %, 33 / 4 / 4 s);
   coverage p=100 on this path alone: 1,848.3 / 1,820.4 = 1.54 % (751 steps, 6 s at load
   1.2; the bound stalls at 1,820 after about 400 steps); the LP path, with its rounds
   time-limited, reaches 1,943.2 / 1,809.1 = 7.4 % in 60 s (quiet machine). Step 0 showed
   that gap was half the network's, half the bound's: the level LP alone bounds the optimum
   at 1,832.9 (60 s of the level MILP: 1,833.3) and its fixed-``y`` network is 1,835.3, so
   the optimum lies in [1,833.3, 1,835.3]; the ascent's bound stays 12.5 below the strong LP
   (which is at least the level LP's) and its network 13 above. Measured with step 0
   (:func:`solve_certified`, time limit 60 s, exact evaluations by the capacitated
   assignment included, the instance's 6 s build apart; 2026-12-03, load 1.1-1.5):
   coverage p=100 1,835.3 / 1,832.9 = 0.13 % (3.9 s), p=60 2,591.3 / 2,567.8 = 0.92 %
   (6.0 s), p=40 8,833.8 / 8,801.5 = 0.37 % (11.4 s: the only one needing the whole level
   MILP, 6 nodes), p=80 0.29 % (8.4 s), p=130 0.015 % (2.6 s); through
   ``bench/bench_optimize.py`` every p from 10 to 140 proved below 0.7 % in under 25 s.
   At country scale (Latvia demo, coverage p=600) the level LP takes 98 s, beyond its 45 s
   share: coverage there falls back to the ascent (not solved here). Tried and dropped for
   coverage: the level MILP straight away (p=60: no good network before
   HiGHS's sub-MIP found 2,586.2 at 43 s, 1.15 %; more heuristic effort, 0.5, the same),
   the interior-point solver for the level LP (4.8 s against the dual simplex's 4.2 s,
   3.0 s without presolve: kept; the linking-row loop then 2.4 s, kept, though at country
   scale, 94,932 groups x 863 schools = 13,716 patterns and 186,972 arcs, it took 120 s
   against the whole LP's 98 s on a degenerate LP), ``np.unique(axis=0)`` for the patterns
   (0.6 s; rows as bytes 0.015 s). A
   transport LP at the steps' average ``y`` (OR-Tools, fractional capacities) gave 457,651
   for p=60, an upper bound on the strong LP: the LP bound lies in [455,451, 457,651], so
   no LP/Lagrangian bound proves much less than 0.4 % for that network; less needs
   branching (not done). Each step costs ~40 ms (load 5), the exact evaluations 3-7 s each
   (p-median) and more for coverage; under load they eat the ascent's share of the time
   limit: ``bench/bench_optimize.py --time-limit 60`` at load 9 reached only 84-151 steps
   (p=60: 1.52 %, p=100: 0.22 %, p=130: 0.06 %, coverage: 20 %, its first rounding).

   Limits: when pupils must stay unserved (the p largest capacities below the pupils) the
   per-group subgradient from the second-cheapest cost barely lifts the multipliers towards
   the unserved cost, which the 26th-cheapest clip caps anyway (demo p=15 at 1.25 x today's
   capacity: 121,000 after 150 steps against the LP's 1,326,050; Vidzeme p=50: no more
   than the capacity bound, 51.9 % in 60 s); such instances take step 5 at region scale and
   the LP path below :data:`SCALE_PAIRS`. Tried and dropped: Polyak steps
   on ``lambda`` (stall at 436,000), deflected/Volume directions (no faster), adding
   ``sum cap_j y_j >= pupils`` to the school choice (no gain: the chosen schools have the
   room), a HiGHS transport LP per network for duals (60 s), the interior-point solver on
   the 12-nearest strong LP (no convergence in 400 s), a single-precision arc screen (no
   faster), a first target from an early rounding (a poor network, too long steps).

5. **Region scale, pupils beyond the room** (:func:`short_of_room`: the ``p`` largest
   capacities hold fewer than the pupils, or a budget cannot buy room for them all, its
   most room bounded by the knapsack's LP; :func:`_solve_short_of_room`; a budget over
   schools of one running cost is first made a number of schools, :func:`budget_as_count`;
   with other budgets the choice of schools is a 0-1 knapsack, :func:`knapsack_choice`:
   Vidzeme, costs 150,000 + 400 EUR per place, budgets of 25 / 33 / 40 % of the total
   0.54 / 0.77 / 0.75 % in 44 / 31 / 5 s, where the fractional choice left 4-8 % and no
   room bound 4,138-10,069 %). The same
   Lagrangian as step 4 (assignment rows relaxed with ``mu``, capacity rows *kept*: one
   fractional knapsack per school, the unserved option ``min(0, U - mu_g)``, the ``p``
   most negative schools), but on *every* allowed arc (``ceil = U``), and ascended from
   ``mu = U`` instead of upwards from the second-cheapest cost. At ``mu = U`` every
   knapsack is full: ``v_j = -U cap_j +`` the minutes of its ``cap_j`` nearest pupils, so
   the choice is the largest rooms, nearest pupils breaking ties, a network that serves as
   many pupils as any (its exact value is the first candidate), and ``L(U)`` is already
   above :func:`capacity_bound` on Vidzeme (p=50: 12,112,941 against 12,083,124: the
   knapsacks know where the room is). Polyak steps towards the incumbent then lower
   ``mu`` for pupils in several knapsacks and keep it at ``U`` for the unserved (their
   subgradient is projected to 0, the unserved option taking them); the rounded average
   choice of each of four stages (ending at 25/50/70/85 % of the time limit, or once the
   target gap is proven) is evaluated exactly too. The knapsacks are screened
   (:class:`ArcLagrangian` ``screen``): each sorts only its arcs below the reduced cost at
   which it held twice its capacity at the last step, exactly the same knapsack
   (0.3 s a step on 3.4 million arcs instead of 0.55 s, load 1-2).

   Which side was weak (Vidzeme, 149 schools, 19,906 pupils, capacities 80-610, U =
   10,000 minutes; 2026-12-03, load 1.0-1.1): the network. Step 4's roundings left 1,835
   pupils unserved at p=50 (18,358,278) where the 50 largest schools leave 1,176
   (12,306,838); a band-aware max-flow MILP over the choice of schools (HiGHS) gives the
   same room as the capacity bound, so the bands do not restrict it, and the bound needs
   the travel part: ``L`` after 10 steps 12,203,217, 60 steps 12,272,685 (0.28 %).
   Measured through ``bench/bench_optimize.py --time-limit 60``: p=30 69,213,911 /
   69,182,195 = 0.046 % (2.2 s, one step), p=40 39,527,086 / 39,454,415 = 0.18 % (1.7 s),
   p=50 12,306,838 / 12,185,819 = 0.99 % (8.5 s, 7 steps); before: 3.2 / 11.7 / 51.9 %
   in 60 s. Its validity is tested against brute force over every network
   (``tests/test_certify_capacity.py``). Started from ``mu = U`` with room for every
   pupil (p=56: 20,250 places) the bound starts far below zero and does not recover in
   60 s, so those instances stay on step 4. There, where the room is tight, step 4's
   roundings left hundreds of pupils out (p=55/56/57: 7,394,898 / 5,799,109 / 3,115,853
   against bounds near 480,000): when the first rounding lies more than
   :data:`ROOM_CHECK` (1 %) of the pupils' unserved cost above the bound, the largest
   rooms (:func:`largest_rooms`, the choice at ``mu = U``) are evaluated too: 614,124 /
   575,777 / 549,293, gaps 27 / 20 / 17 % (were 1,433 / 1,121 / 560 %); p >= 59 never
   triggers it (p=60: the same 459,374 / 455,354 as before). Left: those gaps. The bound
   stays near 480,000 also with a full-arc ascent from step 4's multipliers (479,081
   after 400 more steps at p=56), and a band-aware max-flow shows room for every pupil
   from p=55, so either side may be weak there.

   **Room cut** (both sides were weak). The roundings left 600-800 pupils out at p=55
   (the Lagrangian's choice at its best multipliers held 19,110 places for 19,906 pupils;
   the clip at the 26th-cheapest cost hides the unserved cost). A network of room ``R``
   costs at least :func:`capacity_bound` at ``R``, so once an incumbent is known every
   network cheaper than it has room ``>= R*`` (:func:`room_floor`; p=55 with 547,890:
   19,890). After step 4's first phase, when the best choice lacks that room, the
   choice of schools is restricted to it (``ArcLagrangian.room``): ``min v y`` with
   ``sum y = p`` and ``cap y >= R*`` is bounded below by its Lagrangian dual in one
   multiplier (:func:`choose_with_room`, golden-section search, valid for every ``lam``),
   a valid bound of the optimum (which has the room). Candidates then hold every pupil:
   :func:`room_network` (the largest ``y + lam cap`` with the least ``lam`` giving the
   room); the first phase's average is also repaired that way (``lagrangian-rooms``)
   when the largest rooms were tried; while time is left, a third stage ascends on until
   85 % of the time limit (``lagrangian-room-mean``). Tested against brute force
   (``tests/test_certify_capacity.py``: no network below the floor beats the incumbent;
   the dual never exceeds the constrained minimum; ``L`` with the optimum's own floor never
   exceeds the optimum). Through ``bench/bench_optimize.py --time-limit 60`` (2026-12-03,
   load 1.0-1.6): p=55 546,848 / 510,528 = 7.1 % (42 s; was 614,124 / 485,887 = 26.4 %),
   p=57 479,493 / 473,296 = 1.31 % (26 s; was 16.6 %); p=60 and above never bind the cut
   (unchanged: 0.883 / 0.192 / 0.058 %).

   **Tight room: a coarse LP's prices as the start** (:func:`tight_room`: the ``p``
   largest capacities hold every pupil with under :data:`TIGHT_ROOM`, 5 %, to spare;
   Vidzeme p = 55-58; :func:`_tight_start`). The ascent was the weak side there: the strong
   LP of p = 55 (the sparse LP of steps 1-3 run to the end, 43 s: 527,389) lies 3.2 % above
   the ascent's 510,528, and its multipliers are 460-537 minutes per pupil, far above any
   travel time: with 104 places to spare a place costs some 440 minutes at every school,
   a level the ascent, stepping up from the second-cheapest cost under the 26th-cheapest
   clip, never reaches (a line search on a common shift of every multiplier still stalls
   at 513,000). So the groups are merged (:func:`coarse_groups`: the same allowed schools,
   the same two nearest in order, the cheapest cost in the same 6-minute bin; 33,354 ->
   4,739 groups, weights summed, costs the weighted mean, a restriction of the instance),
   the coarse LP is solved as in steps 1-3 (2.7 s; until :data:`COARSE_SHARE` of the time
   limit), and its capacity prices ``pi_j`` give the multipliers of every fine group: its
   cheapest or second-cheapest allowed ``c_gj + pi_j``, whichever gives the higher ``L``
   (:func:`price_multipliers`; p = 55: 526,804 at once, where the coarse LP's own group
   multipliers give -133,608). The ascent then continues on every arc (no clip; at most
   :data:`TIGHT_STEPS`, 30 + 60, steps of 0.25 s: deterministic sweeps count steps, and
   751 of them took p = 55 229 s), its candidates repaired to hold every pupil. The
   coarse LP's schools with room for every pupil and the coarse branch and bound with its
   integral schools fixed (HiGHS, as long again) are the first candidates, evaluated in a
   second thread while the ascent runs (:class:`Candidates`: HiGHS, the exact assignment
   and numpy's array work release the GIL, so the two cores both work).

   **Tight room: Lagrangian fixing, a coarse branch and bound aside, and enumeration**
   (:func:`_early_milp`, :func:`_tight_finish`). After the ascent's first phase,
   *Lagrangian fixing* (:func:`decided_schools`) decides the schools every network cheaper
   than the incumbent must open or close (forcing a school against the best step's choice
   lifts ``w mu + min v y``, the choice with the room floor solved exactly as a 149-binary
   MILP, to the incumbent; p = 55: 128 of 149 decided in 1 s), and the coarse branch and
   bound over the schools left free runs in a third thread while the second phase ascends
   (``coarse-milp-decided``; p = 55: 538,038 -> 534,033 in 16 s, the best network found by
   any method here: HiGHS on the fine sparse model with the same fixing had 534,181 after
   3 minutes); it is stopped (:meth:`SparseLP.cancel`) once the gap is proven. The LP bound
   was the limit at p = 55: its integral part, 54 schools, must be completed by a school
   holding 246 pupils; the strong LP is 527,389 and HiGHS's root bound on the fine model
   with the fixing 527,501, where 1 % needs 528,750: no LP-based bound proves it without
   branching (a Lagrangian branch on one school took 15 s per child). So after the ascent,
   step 4 *enumerates*. The fixing at the best multipliers leaves few schools free (p = 55:
   49 open, 6 to choose among 17), and every network whose Lagrangian bound ``w mu + v y``
   (with the room floor) lies below the incumbent is listed (:func:`cheap_networks`, a
   depth-first search pruned by the cheapest completion and the largest room; p = 55: 816-
   878 networks; above :data:`ENUM_LIMIT` the step is skipped); every other network costs
   at least the incumbent. They are taken in increasing bound until the next bound proves
   the target gap. Each first gets a *dual bound* (:mod:`geo.planning.duals`): the
   transportation dual at the capacity prices of the exact assignment of the evaluated
   network sharing most of its schools (``Assignment.prices``), the schools it lacks priced
   by exact one-dimensional maximisation, then coordinate sweeps - a lower bound of that
   network at any prices, 0.03-0.1 s where its assignment takes 1.4 s, within 0.2-1.5 % of
   the exact value for networks one to three schools away at p = 55. A network whose dual
   bound proves the gap is set aside; any other is evaluated exactly (a candidate too, at
   most :data:`ENUM_EVALS` when the limits are counts). The optimum is then at least the
   smallest of the best value, the set-aside networks' bounds and the next listed bound
   (``tests/test_certify_enum.py``: the listing against brute force over every network, the
   bound brackets the brute-force optimum and proves it when the target is 0;
   ``tests/test_duals.py``: the dual bound against a dense transportation LP, strong duality
   of the assignment's prices). Through ``bench/bench_optimize.py --time-limit 60``
   (2026-12-03, load 0.7-1.8): p = 55 534,033 / 529,087 = 0.935 % in 33.8 s (was 1.29 % in
   54 s; 816-878 networks listed, the first 9-12 set aside by their dual bounds, none
   assigned: the only exact evaluations are the coarse LP's and branch and bound's
   networks), p = 56 0.994 % (21 s), p = 57 0.980 % (19 s), p = 58 0.969 % (20 s); at load
   2 (a second busy process) p = 55 0.986 % in 41 s; ``deterministic`` (sweeps: the branch
   and bound after the ascent, counted nodes) 0.970 % in 58 s. Once the target is proven,
   up to :data:`MARGIN` (3 s, 60 networks) more are set aside by dual bounds alone towards
   half the target (:func:`_set_aside_more`): on a host twice as slow p = 55 then proved
   0.942 % in 43 s instead of 0.986 %, deterministic 0.494 %.

   Step 5 with few pupils beyond the room (below :data:`SHORT_STEP`, 2 %, of them;
   :func:`_shortfall`; Vidzeme p=54: 0.7 %, p=50: 5.9 %) starts the ascent with three
   times the step: most multipliers must fall far below ``U``. p=54: 2,060,004 /
   2,039,614, proven below 1 % in 18.8 s, 55 steps (was 1.086 % in 51 s); step factor 2:
   34.5 s; 3 for p=50 as well: 10.1 s against 5.8 s, hence the threshold.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import cached_property

import highspy
import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from geo.planning.duals import dual_bound

INF = highspy.kHighsInf

#: Above this many group x school pairs :func:`solve_certified` optimises the Lagrangian
#: directly (:func:`ascend`) instead of solving the sparse LP (whose rounds no longer finish).
SCALE_PAIRS = 1_000_000

#: Region scale with room for every pupil: when the first rounding is more than this share
#: of the pupils' unserved cost above the bound, :func:`largest_rooms` is evaluated too.
ROOM_CHECK = 0.01

#: Step 5: below this share of the pupils beyond the room, the ascent starts with three
#: times the step (most multipliers must fall far below the unserved cost).
SHORT_STEP = 0.02

#: Region scale with ``p``: when the ``p`` largest capacities hold every pupil with less than
#: this share of them to spare, step 4 starts from the coarse LP's prices (module docstring).
TIGHT_ROOM = 0.05

#: Step 4 with tight room: subgradient steps at most in each of the two phases (each step
#: on every arc, 0.25 s at Vidzeme scale; from the coarse LP's start 60 steps lift the bound
#: by about 0.1 %).
TIGHT_STEPS = (30, 60)

#: Step 4 with tight room: share of the time limit for the coarse LP (the same again for its
#: branch and bound).
COARSE_SHARE = 0.15

#: Step 4 with tight room: networks listed at most by :func:`cheap_networks` (more: the
#: enumeration is skipped).
ENUM_LIMIT = 20_000

#: Step 4 with tight room and ``deterministic``: networks of the enumeration evaluated at
#: most (:func:`_tight_finish`).
ENUM_EVALS = 20

#: Step 4 with tight room, once the target gap is proven: seconds and networks at most spent
#: setting aside more listed networks by their dual bounds alone, towards half the target
#: (:func:`_set_aside_more`: a margin on a busy machine).
MARGIN = (3.0, 60)

#: Group x school entries computed at once where a cost matrix is scanned (bounded memory).
_BLOCK = 2_000_000


@dataclass
class Problem:
    """A capacitated location instance (see the module docstring).

    Attributes
    ----------
    cost : numpy.ndarray, shape (n_g, n_c)
        Per-pupil cost, already clipped at ``unserved`` (``unserved`` = not allowed).
    w : numpy.ndarray, shape (n_g,)
        Pupils per group.
    unserved : float
        Per-pupil cost of an unserved pupil.
    capacity : numpy.ndarray, shape (n_c,)
        Pupils; ``inf`` = unlimited.
    annual_cost : numpy.ndarray, shape (n_c,)
        EUR a year (budget variant).
    fixed_open, fixed_closed : numpy.ndarray of bool, shape (n_c,)
    p : int or None
    budget : float or None
    cost_step : float or None
        Cost units of one level when every allowed cost is a multiple of it plus a small
        per-group tie-break (maximal coverage: 1 per pupil beyond the threshold): then
        :func:`solve_certified` first solves the level relaxation (module docstring, step
        0). None: no such structure (p-median).
    """

    cost: np.ndarray
    w: np.ndarray
    unserved: float
    capacity: np.ndarray
    annual_cost: np.ndarray
    fixed_open: np.ndarray
    fixed_closed: np.ndarray
    p: int | None = None
    budget: float | None = None
    cost_step: float | None = None

    @property
    def shape(self) -> tuple[int, int]:
        """(origins, schools) of the cost matrix."""
        return self.cost.shape

    @cached_property
    def cheapest(self) -> np.ndarray:
        """Per group its cheapest allowed cost (``unserved`` when no school is allowed),
        computed once, block by block (the instance's arrays are not changed in place)."""
        rows = max(1, _BLOCK // max(self.shape[1], 1))
        parts = [np.where(self.fixed_closed[None, :], self.unserved, self.cost[a: a + rows])
                 .min(axis=1, initial=self.unserved) for a in range(0, len(self.w), rows)]
        return np.concatenate(parts) if parts else np.zeros(0)

    @property
    def constant(self) -> float:
        """Cost of the groups no allowed school can serve."""
        return float(self.w[self.cheapest >= self.unserved].sum() * self.unserved)


@dataclass
class Certificate:
    """Result of :func:`solve_certified`.

    Attributes
    ----------
    open : numpy.ndarray of bool
        Best network found.
    value : float
        Its exact objective.
    bound : float
        Proven lower bound on the optimum.
    gap : float
        ``(value - bound) / (bound - constant)``.
    lp_value : float
        Last sparse-LP objective; ``lp_complete`` tells whether it is the full strong LP.
    rounds, n_arcs, n_links : int
        Cut/pricing rounds; arcs and linking rows of the final sparse LP (region scale:
        subgradient steps, arcs kept, 0).
    seconds : dict
        Wall time of ``lp``, ``milp`` (region scale: ``lagrangian``; coverage:
        ``levels``), ``evaluate``, ``total``. At region scale with wall-time limits the
        evaluations run beside the ascent (:class:`Candidates`): ``evaluate`` is their own
        time, ``lagrangian`` the total less it, so the parts may add up to more than it.
    candidates : dict
        Exact value of each candidate network (``lp-round``, ``lagrangian``, ``milp``;
        region scale: ``lagrangian-mean-0/1``, ``lagrangian``; coverage: ``levels-fixed``,
        ``levels``).
    path : {"lp", "lagrangian", "room", "levels", "levels+lp", "levels+lagrangian",
            "levels+room"}
        Which method ran: the sparse LP (steps 1-3) or, at region scale, the ascent (step 4;
        ``room``: from the unserved cost on every arc, step 5, when pupils exceed the room);
        ``levels``: the level relaxation (step 0) proved the target gap alone; ``levels+``:
        it did not, and the other path ran in the time left (its bound and networks kept
        when better). With levels, ``rounds`` is HiGHS's branch-and-bound nodes (0: the LP
        and the fixed-``y`` network sufficed), ``n_arcs`` the explicit and pool arcs,
        ``n_links`` the linked arcs.
    n_listed, n_aside : int
        Step 4 with tight room: networks left by Lagrangian fixing below the incumbent
        (:func:`cheap_networks`), and how many of those taken were set aside by their dual
        bound instead of being evaluated (:func:`_evaluate_listed`).
    """

    open: np.ndarray
    value: float
    bound: float
    gap: float
    lp_value: float = np.nan
    lp_complete: bool = False
    rounds: int = 0
    n_arcs: int = 0
    n_links: int = 0
    seconds: dict = field(default_factory=dict)
    candidates: dict = field(default_factory=dict)
    path: str = "lp"
    n_listed: int = 0
    n_aside: int = 0


# ------------------------------------------------------------------------------------------
# Lagrangian bound
# ------------------------------------------------------------------------------------------
def school_knapsacks(pr: Problem, mu: np.ndarray) -> tuple[np.ndarray, tuple]:
    """Per school, the continuous knapsack of the Lagrangian subproblem.

    Parameters
    ----------
    pr : Problem
    mu : numpy.ndarray, shape (n_g,)
        Multipliers per pupil (``lambda_g / w_g``), minutes (or cost units).

    Returns
    -------
    v : numpy.ndarray, shape (n_c,)
        ``min sum_g w_g (c_gj - mu_g) x_gj`` subject to ``sum_g w_g x_gj <= cap_j``,
        ``0 <= x <= 1`` (<= 0).
    arcs : tuple of numpy.ndarray
        ``(g, j, x)`` of the knapsack solutions.
    """
    n_c = pr.shape[1]
    neg = (pr.cost < mu[:, None]) & ~pr.fixed_closed[None, :]
    g, j = np.nonzero(neg)
    r = pr.cost[g, j] - mu[g]
    o = np.lexsort((r, j))
    g, j, r = g[o], j[o], r[o]
    ww = pr.w[g]
    cs = np.cumsum(ww)
    start = np.searchsorted(j, np.arange(n_c))
    before = cs - ww - np.r_[0.0, cs][start][j]
    with np.errstate(invalid="ignore"):
        x = np.clip((pr.capacity[j] - before) / ww, 0.0, 1.0)
    v = np.bincount(j, ww * r * x, minlength=n_c)
    return v, (g, j, x)


def choose_schools(pr: Problem, v: np.ndarray) -> np.ndarray:
    """The Lagrangian's choice of schools: fractional ``y`` minimising ``sum v_j y_j``.

    With ``p``: the fixed-open schools and the ``p - |fixed|`` most negative others. With a
    budget: a fractional knapsack (most negative ``v_j`` per euro first), a relaxation of
    the 0-1 choice, so the bound stays valid.
    """
    y = pr.fixed_open.astype(float)
    free = np.flatnonzero(~pr.fixed_open & ~pr.fixed_closed)
    if pr.p is not None:
        take = free[np.argsort(v[free], kind="stable")][: max(pr.p - int(pr.fixed_open.sum()), 0)]
        y[take] = 1.0
        return y
    left = pr.budget - float(pr.annual_cost[pr.fixed_open].sum())
    free = free[v[free] < 0]
    ratio = v[free] / np.maximum(pr.annual_cost[free], 1e-9)
    for j in free[np.argsort(ratio, kind="stable")]:
        a = pr.annual_cost[j]
        share = 1.0 if a <= left else max(left, 0.0) / a
        y[j] = share
        left -= a * share
        if left <= 0:
            break
    return y


def room_floor(pr: Problem, incumbent: float) -> float:
    """The least room a network cheaper than ``incumbent`` can have.

    A network of room ``R`` serves at most ``R`` pupils, each at least at its cheapest
    allowed cost, the others at the unserved cost: it costs at least the capacity bound at
    ``R`` (:func:`_least_cost_at_room`, as in :func:`capacity_bound`). The returned ``R*`` (found by
    bisection) has that bound above ``incumbent``, so every network with room below ``R*``
    costs more than the incumbent and the optimum has room ``>= R*``. 0 without ``p``,
    with unlimited capacities or when no room is excluded.
    """
    if pr.p is None or not np.isfinite(pr.capacity).all() or not np.isfinite(incumbent):
        return 0.0
    least_cost = _least_cost_at_room(pr)
    lo, hi = 0.0, float(pr.w.sum())
    if least_cost(lo) <= incumbent:
        return 0.0
    for _ in range(60):  # invariant: least_cost(lo) > incumbent >= least_cost(hi)
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if least_cost(mid) > incumbent else (lo, mid)
    return lo


def knapsack_choice(pr: Problem, v: np.ndarray, *, units: int = 50_000
                    ) -> tuple[np.ndarray, float]:
    """With a budget: the 0-1 choice of schools minimising ``v y`` within it and a lower
    bound of that minimum.

    A knapsack over the schools with ``v_j < 0`` by dynamic programming, running costs
    rounded *down* to ``units`` parts of the budget left (a relaxation: its minimum is a
    lower bound of the exact one, and equal when the costs are multiples of the part; the
    chosen schools may overspend by less than one part each). The fractional knapsack
    (:func:`choose_schools`) takes part of a school, and with pupils beyond the room a
    place is worth the unserved cost: at Vidzeme scale that part alone was worth millions
    (budget of a quarter of the running costs: 4.0 % -> 0.03 %)."""
    y = choose_schools(pr, v)
    free = np.flatnonzero(~pr.fixed_open & ~pr.fixed_closed & (v < 0))
    if np.all((y[free] == 0) | (y[free] == 1)):
        return y, float(v @ y)
    left = float(pr.budget) - float(pr.annual_cost[pr.fixed_open & ~pr.fixed_closed].sum())
    part = max(left, 1e-9) / units
    take = free[_max_knapsack(-v[free], np.floor(pr.annual_cost[free] / part).astype(np.int64),
                              int(np.floor(left / part)))]
    out = (pr.fixed_open & ~pr.fixed_closed).astype(float)
    out[take] = 1.0
    return out, float(v @ out)


def _max_knapsack(gain: np.ndarray, weight: np.ndarray, room: int) -> np.ndarray:
    """The items of the largest total ``gain`` (positive) whose integer ``weight`` fits in
    ``room`` (dynamic programming over the room, one vectorised pass per item); a mask."""
    best = np.zeros(room + 1)
    keep = np.zeros((len(gain), room + 1), bool)
    for i, (g, wt) in enumerate(zip(gain, weight, strict=True)):
        if wt > room:
            continue
        cand = best.copy()
        cand[wt:] = np.maximum(best[wt:], best[: room + 1 - wt] + g)
        keep[i] = cand > best
        best = cand
    out, r = np.zeros(len(gain), bool), room
    for i in range(len(gain) - 1, -1, -1):
        if keep[i, r]:
            out[i] = True
            r -= weight[i]
    return out


def choose_with_room(pr: Problem, v: np.ndarray, room: float, *, iters: int = 60
                     ) -> tuple[np.ndarray, float]:
    """:func:`choose_schools` with the chosen schools' room at least ``room``: a lower bound
    of ``min v y`` over those networks and a network.

    For every ``lam >= 0``, ``lam room + min (v_j - lam cap_j) y_j`` over the ``p``-school
    choices bounds the room-constrained minimum from below (weak duality); ``lam`` is
    maximised by golden-section search (the dual is concave). When the plain choice has the
    room (or ``room`` is 0), it is returned with its value ``v y``.

    Returns
    -------
    y : numpy.ndarray, shape (n_c,)
        The choice at the best ``lam`` (may lack the room).
    value : float
        The bound on ``min v y`` (exact when the plain choice has the room).
    """
    if pr.p is None:
        return knapsack_choice(pr, v)
    y = choose_schools(pr, v)
    if room <= 0 or pr.capacity @ y >= room:
        return y, float(v @ y)
    free = np.flatnonzero(~pr.fixed_open & ~pr.fixed_closed)
    k = max(pr.p - int(pr.fixed_open.sum()), 0)
    fixed = pr.fixed_open & ~pr.fixed_closed
    vf, cf = v[free], pr.capacity[free]

    def dual(lam: float) -> tuple[float, np.ndarray]:
        r = vf - lam * cf
        take = np.argpartition(r, k - 1)[:k] if 0 < k < len(r) else np.arange(min(k, len(r)))
        val = lam * room + float((v[fixed] - lam * pr.capacity[fixed]).sum() + r[take].sum())
        return val, free[take]

    spread = float(np.ptp(v)) + 1.0
    hi = spread / max(float(np.min(np.diff(np.unique(pr.capacity)), initial=1.0)), 1e-9)
    a, b, phi = 0.0, hi, 0.5 * (np.sqrt(5.0) - 1.0)
    best, take = dual(0.0)
    for _ in range(iters):
        m1, m2 = b - phi * (b - a), a + phi * (b - a)
        (f1, t1), (f2, t2) = dual(m1), dual(m2)
        a, b = (a, m2) if f1 >= f2 else (m1, b)
        for f, t in ((f1, t1), (f2, t2)):
            if f > best:
                best, take = f, t
    out = fixed.astype(float)
    out[take] = 1.0
    return out, best


def room_network(pr: Problem, y: np.ndarray, room: float) -> np.ndarray:
    """A network of ``p`` schools from fractional ``y`` with at least ``room`` places where
    one exists: the ``p`` largest ``y + lam cap`` (fixed schools kept), the least ``lam``
    found by bisection that gives the room."""
    score = np.where(pr.fixed_open, np.inf, np.where(pr.fixed_closed, -np.inf, y))

    def net(lam: float) -> np.ndarray:
        s = np.where(np.isfinite(score), score + lam * pr.capacity, score)
        out = np.zeros(len(y), bool)
        out[np.argsort(-s, kind="stable")[: pr.p]] = True
        return out

    lo, hi = 0.0, 2.0 / max(float(np.min(np.diff(np.unique(pr.capacity)), initial=1.0)), 1e-9)
    if pr.capacity @ net(hi) < room:
        return net(hi)
    for _ in range(50):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if pr.capacity @ net(mid) < room else (lo, mid)
    return net(hi)


def lagrangian(pr: Problem, mu: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """The Lagrangian lower bound ``L(mu)`` (valid for every ``mu``).

    Returns
    -------
    bound : float
    y : numpy.ndarray, shape (n_c,)
        The subproblem's (fractional only with a budget) choice of schools.
    subgradient : numpy.ndarray, shape (n_g,)
        ``w_g (1 - sum_j y_j x_gj - z_g)``, the direction of ascent in ``mu``.
    """
    mu = np.minimum(mu, pr.unserved)
    v, (g, j, x) = school_knapsacks(pr, mu)
    y = choose_schools(pr, v)
    bound = float(pr.w @ mu + v @ y)
    served = np.bincount(g, x * y[j], minlength=len(pr.w))
    return bound, y, pr.w * (1.0 - served)


def polish_bound(pr: Problem, mu: np.ndarray, target: float, *, iters: int = 30,
                 deadline: float = np.inf) -> tuple[float, np.ndarray]:
    """Subgradient ascent of ``L`` from ``mu`` (Polyak steps towards ``target``).

    Returns the best bound and its multipliers.
    """
    best, best_mu = -np.inf, mu
    theta = 0.5
    for _ in range(iters):
        if time.perf_counter() > deadline:
            break
        bound, _, s = lagrangian(pr, mu)
        if bound > best:
            best, best_mu = bound, mu
        else:
            theta *= 0.7
        norm = float(s @ s)
        if norm <= 0 or bound >= target:
            break
        mu = np.minimum(mu + theta * (target - bound) / norm * s, pr.unserved)
    return best, best_mu


# ------------------------------------------------------------------------------------------
# Region scale: the Lagrangian dual optimised directly (subgradient ascent)
# ------------------------------------------------------------------------------------------
class ArcLagrangian:
    """``L(mu)`` evaluated fast on each group's ``k`` cheapest allowed schools.

    The multipliers are clipped at ``ceil_g``, the cost of the group's ``(k+1)``-th cheapest
    allowed school (``unserved`` when it has none). Every omitted arc then has
    ``c_gj - mu_g >= 0`` and takes nothing in its school's knapsack, so the value on the kept
    arcs *is* ``L`` at the clipped multipliers: a valid bound, however small ``k``.

    With ``screen``, a binding knapsack sorts only its arcs below a per-school threshold
    (``thr``, from the previous call: the reduced cost at which the knapsack held twice its
    capacity); every arc above it comes after them in the sort, so when the arcs below fill
    the capacity the knapsack is exactly the unscreened one, and a school whose arcs below
    do not fill it is sorted whole. On every arc (the room path, 3.4 million arcs at
    Vidzeme scale) this sorts a few hundred thousand arcs a step instead of all.

    Parameters
    ----------
    pr : Problem
    k : int, default 25
        Arcs kept per group (the multipliers rarely pass the 25th cheapest school).
    screen : bool, default False
        Sort each binding knapsack's arcs below its threshold only (same value).
    """

    def __init__(self, pr: Problem, k: int = 25, *, screen: bool = False) -> None:
        self.pr = pr
        self.thr = np.full(pr.shape[1], np.inf) if screen else None
        n_g, n_c = pr.shape
        C = np.where(pr.fixed_closed[None, :], pr.unserved, pr.cost)
        k = max(1, min(k, n_c))
        if k < n_c:
            part = np.argpartition(C, k, axis=1)[:, : k + 1]
        else:  # every school kept: nothing to clip below the unserved cost
            part = np.c_[np.tile(np.arange(n_c), (n_g, 1)), np.zeros(n_g, np.int64)]
        cp = np.take_along_axis(C, part, 1)
        if k == n_c:
            cp[:, k] = pr.unserved
        o = np.argsort(cp[:, :k], 1, kind="stable")
        part[:, :k], cp[:, :k] = (np.take_along_axis(part[:, :k], o, 1),
                                  np.take_along_axis(cp[:, :k], o, 1))
        self.ceil = np.minimum(cp[:, k:].min(axis=1), pr.unserved)
        keep = (cp[:, :k] < pr.unserved).ravel()
        self.g = np.repeat(np.arange(n_g), part[:, :k].shape[1])[keep]
        self.j = part[:, :k].ravel()[keep]
        self.c = cp[:, :k].ravel()[keep]
        self.w_arc = pr.w[self.g]
        self.span = 2.0 * pr.unserved + 1.0  # sort key: school, then c - mu (in (-U, 0))
        self.room = 0.0  # the chosen schools' least room (:func:`room_floor`; 0: none)

    def start(self, rank: int = 1) -> np.ndarray:
        """Warm start: each group's ``rank``-th cheapest cost (0 = cheapest), per pupil."""
        first = np.r_[0, np.flatnonzero(np.diff(self.g)) + 1] if len(self.g) else np.zeros(0, int)
        n = np.diff(np.r_[first, len(self.g)])
        mu = np.full(self.pr.shape[0], self.pr.unserved)
        mu[self.g[first]] = self.c[first + np.minimum(rank, n - 1)]
        return np.minimum(mu, self.ceil)

    def __call__(self, mu: np.ndarray) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
        """``L(mu)``; returns (bound, y, v per school, served share per group)."""
        pr, n_c = self.pr, self.pr.shape[1]
        r = self.c - mu[self.g]
        neg = r < 0
        if neg.all():  # every arc (mu near U on the room path): no copies
            a, j, ww = slice(None), self.j, self.w_arc
        else:
            a = np.flatnonzero(neg)
            j, r, ww = self.j[a], r[a], self.w_arc[a]
        x = np.ones(len(j))
        over = np.bincount(j, ww, minlength=n_c) > pr.capacity
        if over.any():  # binding knapsacks: fill the capacity, most negative first
            x[over[j]] = 0.0  # beyond the screen: after the capacity is filled
            self._fill(x, j, r, ww, over)
        v = np.bincount(j, ww * r * x, minlength=n_c)
        y, vy = choose_with_room(pr, v, self.room)
        served = np.bincount(self.g[a], x * y[j], minlength=pr.shape[0])
        return float(pr.w @ mu + vy), y, v, served

    def _fill(self, x: np.ndarray, j: np.ndarray, r: np.ndarray, ww: np.ndarray,
              over: np.ndarray) -> None:
        """Fill the binding knapsacks (``over``) most negative first: set ``x`` of their
        arcs (screened: only below ``thr``; a school the screen leaves short is sorted
        whole) and update ``thr``."""
        pr, n_c = self.pr, self.pr.shape[1]
        thr = np.full(n_c, np.inf) if self.thr is None else self.thr
        sel = np.flatnonzero(over[j] & (r < thr[j]))
        short = over & (np.bincount(j[sel], ww[sel], minlength=n_c) <= pr.capacity)
        if short.any() and self.thr is not None:  # the screen missed arcs: sort them whole
            thr[short] = np.inf
            sel = np.flatnonzero(over[j] & (r < thr[j]))
        o = np.argsort(j[sel] * self.span + r[sel])  # ties: same school, same cost
        jj, w2 = j[sel][o], ww[sel][o]
        cs = np.cumsum(w2)
        before = cs - w2 - np.r_[0.0, cs][np.searchsorted(jj, np.arange(n_c))][jj]
        x[sel[o]] = np.clip((pr.capacity[jj] - before) / w2, 0.0, 1.0)
        if self.thr is not None:  # next screen: where each knapsack held twice its capacity
            past = np.flatnonzero(before >= 2.0 * pr.capacity[jj])
            first = past[np.r_[True, jj[past][1:] != jj[past][:-1]]] if len(past) else past
            self.thr = np.full(n_c, np.inf)
            self.thr[jj[first]] = r[sel[o[first]]]


@dataclass
class Ascent:
    """State of :func:`ascend`: best bound and multipliers, the average ``y`` of the steps
    (the Volume algorithm's primal estimate: near the LP's ``y``), steps and step size."""

    mu: np.ndarray
    bound: float = -np.inf
    best_mu: np.ndarray | None = None
    y_sum: np.ndarray | None = None
    y_best: np.ndarray | None = None
    v_best: np.ndarray | None = None
    y_n: int = 0
    steps: int = 0
    theta: float = 1.0
    stall: int = 0
    rise: int = 0
    lift: float = 0.02

    @property
    def y_mean(self) -> np.ndarray:
        """Average ``y`` of the steps since the last reset (the best step's before any)."""
        return self.y_best if self.y_n == 0 else self.y_sum / self.y_n


def ascend(lag: ArcLagrangian, st: Ascent, *, target: float | None, steps: int,
           deadline: float = np.inf, stall: int = 5, shrink: float = 0.7,
           stop_at: float = np.inf) -> Ascent:
    """Subgradient ascent of ``L`` (Polyak steps towards ``target``), per pupil.

    The step moves ``mu_g`` (minutes per pupil) by ``t (1 - served_g)`` with
    ``t = theta (target - L) / sum_g w_g (1 - served_g)^2``: the same per-pupil step for
    every group, whatever its weight (steps on ``lambda_g = w_g mu_g`` would leave the many
    tiny groups behind). ``theta`` shrinks after ``stall`` steps without a better bound.
    ``target`` None: ``lift`` (first 2 %) above the best bound so far, ``lift`` doubling
    after ``stall`` improving steps in a row (a start far below the optimum, e.g. when many
    pupils must stay unserved, is left in tens of steps, not thousands). ``y_sum``
    accumulates each step's schools (reset it to average a later phase only). Stops early
    once the bound reaches ``stop_at`` (the target gap is proven).
    """
    w = lag.pr.w
    for _ in range(steps):
        if time.perf_counter() > deadline or st.bound >= stop_at:
            break
        L, y, v, served = lag(st.mu)
        st.steps += 1
        st.y_sum = y.copy() if st.y_n == 0 else st.y_sum + y
        st.y_n += 1
        if L > st.bound + 1e-9 * abs(L):
            st.bound, st.best_mu, st.y_best, st.v_best, st.stall = L, st.mu, y, v, 0
            st.rise += 1
            if st.rise >= stall:  # no target yet and still climbing: aim higher
                st.lift, st.rise = 2.0 * st.lift, 0
        else:
            st.stall, st.rise = st.stall + 1, 0
            if st.stall >= stall:
                st.theta, st.stall = st.theta * shrink, 0
        s = np.where((served < 1.0) & (st.mu >= lag.ceil), 0.0, 1.0 - served)  # projected
        norm = float(w @ (s * s))
        goal = target if target is not None and target > st.bound else (
            st.bound + st.lift * abs(st.bound) + 1.0)
        if norm <= 1e-12:
            break  # every group served exactly once: L is the optimum of the LP
        st.mu = np.minimum(st.mu + st.theta * (goal - L) / norm * s, lag.ceil)
    return st


# ------------------------------------------------------------------------------------------
# Sparse LP with cuts and pricing (HiGHS)
# ------------------------------------------------------------------------------------------
class SparseLP:
    """The LP relaxation on a subset of arcs and linking rows, in a warm-started HiGHS model.

    Columns: ``y`` (n_c), ``z`` (n_g), then one per arc. Rows: assignment (n_g, ``= 1``),
    capacity (n_c), the number of schools or the budget (1), then one linking row per linked
    arc.
    """

    def __init__(self, pr: Problem, arcs_g: np.ndarray, arcs_j: np.ndarray) -> None:
        self.pr = pr
        n_g, n_c = pr.shape
        self.n_g, self.n_c = n_g, n_c
        self.h = highspy.Highs()
        self.h.setOptionValue("output_flag", False)
        self.h.setOptionValue("threads", 1)
        self.cap = np.where(np.isfinite(pr.capacity), pr.capacity, pr.w.sum())
        self.g = np.zeros(0, np.int64)
        self.j = np.zeros(0, np.int64)
        self.linked = np.zeros(0, bool)
        self.in_model = np.zeros((n_g, n_c), bool)
        self.stop, self._interruptible = False, False
        self._add_base()
        self.add_arcs(arcs_g, arcs_j, link=False)

    def _add_base(self) -> None:
        pr, n_g, n_c = self.pr, self.n_g, self.n_c
        lo = np.where(pr.fixed_open, 1.0, 0.0)
        hi = np.where(pr.fixed_closed, 0.0, 1.0)
        self.h.addCols(n_c, np.zeros(n_c), lo, hi, 0, np.zeros(n_c, np.int32),
                       np.zeros(0, np.int32), np.zeros(0))
        self.h.addCols(n_g, pr.w * pr.unserved, np.zeros(n_g), np.ones(n_g), 0,
                       np.zeros(n_g, np.int32), np.zeros(0, np.int32), np.zeros(0))
        # assignment rows: z_g
        self.h.addRows(n_g, np.ones(n_g), np.ones(n_g), n_g, np.arange(n_g, dtype=np.int32),
                       (n_c + np.arange(n_g)).astype(np.int32), np.ones(n_g))
        # capacity rows: - cap_j y_j (+ the arcs' w_g x_gj)
        self.h.addRows(n_c, np.full(n_c, -INF), np.zeros(n_c), n_c,
                       np.arange(n_c, dtype=np.int32), np.arange(n_c, dtype=np.int32),
                       -self.cap)
        if pr.p is not None:
            coef, lo_r, hi_r = np.ones(n_c), float(pr.p), float(pr.p)
        else:
            coef, lo_r, hi_r = pr.annual_cost.astype(float), -INF, float(pr.budget)
        self.h.addRows(1, np.array([lo_r]), np.array([hi_r]), n_c, np.zeros(1, np.int32),
                       np.arange(n_c, dtype=np.int32), coef)
        self.n_rows = n_g + n_c + 1

    def add_arcs(self, g: np.ndarray, j: np.ndarray, *, link: bool) -> None:
        """Add arc columns (each in its assignment and capacity row), optionally linked."""
        if len(g) == 0:
            return
        n = len(g)
        w = self.pr.w[g]
        starts = (2 * np.arange(n)).astype(np.int32)
        idx = np.column_stack([g, self.n_g + j]).ravel().astype(np.int32)
        val = np.column_stack([np.ones(n), w]).ravel()
        self.h.addCols(n, w * self.pr.cost[g, j], np.zeros(n), np.ones(n), 2 * n, starts,
                       idx, val)
        first = len(self.g)
        self.g = np.r_[self.g, g]
        self.j = np.r_[self.j, j]
        self.linked = np.r_[self.linked, np.zeros(n, bool)]
        self.in_model[g, j] = True
        if link:
            self.link(first + np.arange(n))

    def link(self, arcs: np.ndarray) -> None:
        """Add the linking rows ``x_a - y_j <= 0`` of the given arcs (positions)."""
        arcs = arcs[~self.linked[arcs]]
        n = len(arcs)
        if n == 0:
            return
        col = self.n_c + self.n_g + arcs
        idx = np.column_stack([col, self.j[arcs]]).ravel().astype(np.int32)
        val = np.tile([1.0, -1.0], n)
        self.h.addRows(n, np.full(n, -INF), np.zeros(n), 2 * n,
                       (2 * np.arange(n)).astype(np.int32), idx, val)
        self.linked[arcs] = True
        self.n_rows += n

    def solve(self, *, seconds: float = INF
              ) -> tuple[float, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Run the LP; returns objective, y, x (per arc), lambda (per group), pi (per school).

        ``pi_j >= 0`` is the price of a place at school ``j`` (minus the capacity row's dual).
        ``seconds`` limits this solve (wall time). Stopped early, the dual simplex still
        gives dual-feasible ``lambda``: the Lagrangian bound made from them stays valid
        (it is valid for any multipliers), only weaker; ``stopped_early`` tells.
        """
        self.h.setOptionValue("time_limit", max(float(seconds), 0.5))
        self.h.run()
        self.stopped_early = self.h.getModelStatus() != highspy.HighsModelStatus.kOptimal
        sol = self.h.getSolution()
        n_cols = self.n_c + self.n_g + len(self.g)
        col = np.asarray(sol.col_value) if sol.value_valid else np.zeros(n_cols)
        dual = np.asarray(sol.row_dual) if sol.dual_valid else np.zeros(self.n_rows)
        y = col[: self.n_c]
        x = col[self.n_c + self.n_g:]
        lam = dual[: self.n_g]
        pi = -dual[self.n_g: self.n_g + self.n_c]
        return float(self.h.getInfo().objective_function_value), y, x, lam, pi

    def violated(self, x: np.ndarray, y: np.ndarray, *, tol: float = 1e-7,
                 limit: int = 20_000) -> np.ndarray:
        """Unlinked arcs with ``x_a > y_j`` (the worst ``limit``)."""
        viol = np.where(~self.linked, x - y[self.j], 0.0)
        arcs = np.flatnonzero(viol > tol)
        return arcs[np.argsort(-viol[arcs])][:limit]

    def priced(self, lam: np.ndarray, pi: np.ndarray, *, per_group: int = 2,
               tol: float = 1e-7) -> tuple[np.ndarray, np.ndarray]:
        """Omitted arcs with negative reduced cost ``w_g (c_gj + pi_j) - lambda_g``."""
        pr = self.pr
        rc = pr.w[:, None] * (pr.cost + pi[None, :]) - lam[:, None]
        ok = ~self.in_model & (pr.cost < pr.unserved) & ~pr.fixed_closed[None, :]
        rc = np.where(ok, rc, np.inf)
        k = min(per_group, self.n_c - 1)
        part = np.argpartition(rc, k, axis=1)[:, :k] if k < self.n_c else np.argsort(rc, 1)
        g = np.repeat(np.arange(self.n_g), part.shape[1])
        j = part.ravel()
        neg = rc[g, j] < -tol * np.maximum(1.0, np.abs(lam[g]))
        return g[neg], j[neg]

    def solve_milp(self, seconds: float, *, max_nodes: int | None = None) -> np.ndarray | None:
        """Branch and bound on the current sparse model (y binary); its best network.

        ``max_nodes`` (deterministic) and ``seconds`` (wall time) limit the search.
        """
        self.h.changeColsIntegrality(self.n_c, np.arange(self.n_c, dtype=np.int32),
                                     np.full(self.n_c, highspy.HighsVarType.kInteger))
        self.h.setOptionValue("time_limit", max(float(seconds), 1.0))
        if max_nodes is not None:
            self.h.setOptionValue("mip_max_nodes", int(max_nodes))
        self.h.setOptionValue("mip_rel_gap", 1e-4)
        if not self._interruptible:
            self.h.cbMipInterrupt += self._interrupt
            self._interruptible = True
        self.h.run()
        stopped, self.stop = self.stop, False
        sol = self.h.getSolution()
        if stopped or not sol.value_valid:
            return None
        return np.asarray(sol.col_value)[: self.n_c] > 0.5

    def cancel(self) -> None:
        """Stop the :meth:`solve_milp` running in another thread, or about to start there
        (it then returns None; the next one runs)."""
        self.stop = True

    def _interrupt(self, event) -> None:
        if self.stop:
            event.interrupt()


# ------------------------------------------------------------------------------------------
# Level costs (maximal coverage): an aggregated MILP relaxation (HiGHS branch and bound)
# ------------------------------------------------------------------------------------------
@dataclass
class LevelModel:
    """The level relaxation of a :class:`Problem` (module docstring, step 0).

    Each group's allowed costs are rounded down to ``m_g + step * level_gj`` (``m_g`` its
    cheapest allowed cost); groups with the same levels on every school form one pattern
    (weights summed; unserved cost the smallest ``U - m_g`` of its groups). A pattern's
    arcs below its top level are explicit (linked to ``y``); its top-level arcs go through a
    pool shared by the patterns with the same top level and the same allowed schools.

    Attributes
    ----------
    const : float
        ``sum_g w_g m_g`` (cost units; includes the groups without any allowed school).
    w : numpy.ndarray, shape (n_q,)
        Pupils per pattern.
    unserved : numpy.ndarray, shape (n_q,)
        Per-pupil cost of an unserved pupil of the pattern, above ``m_g`` (cost units).
    top : numpy.ndarray, shape (n_q,)
        Per-pupil cost of the pattern's top level (cost units above ``m_g``).
    pool : numpy.ndarray, shape (n_q,)
        The pattern's pool.
    arc_q, arc_j : numpy.ndarray
        Explicit arcs: pattern, school.
    arc_cost : numpy.ndarray
        Their per-pupil cost above ``m_g`` (cost units).
    pool_p, pool_j : numpy.ndarray
        Pool arcs: pool, school (every allowed school of the pool).
    """

    const: float
    w: np.ndarray
    unserved: np.ndarray
    top: np.ndarray
    pool: np.ndarray
    arc_q: np.ndarray
    arc_j: np.ndarray
    arc_cost: np.ndarray
    pool_p: np.ndarray
    pool_j: np.ndarray

    @property
    def n_pools(self) -> int:
        """Pools (patterns' top levels and allowed schools)."""
        return int(self.pool.max()) + 1 if len(self.pool) else 0


def cost_levels(pr: Problem, step: float, *, block: int = _BLOCK
                ) -> tuple[np.ndarray, np.ndarray]:
    """Per group its cheapest allowed cost ``m_g`` and the levels ``floor((c_gj - m_g) /
    step)`` of its allowed schools (-1: not allowed, fixed closed or at the unserved cost).

    Parameters
    ----------
    pr : Problem
    step : float
        Cost units of one level.
    block : int, default 2,000_000
        Group x school entries computed at once (bounded temporary memory).

    Returns
    -------
    m : numpy.ndarray, shape (n_g,)
        Cost units (``unserved`` for a group without an allowed school).
    level : numpy.ndarray of int8 (int32 above 126 levels), shape (n_g, n_c)
    """
    n_g, n_c = pr.shape
    m = np.empty(n_g)
    lev = np.empty((n_g, n_c), np.int8 if pr.unserved / step < 127 else np.int32)
    rows = max(1, block // max(n_c, 1))
    for a in range(0, n_g, rows):
        C = np.where(pr.fixed_closed[None, :], pr.unserved, pr.cost[a: a + rows])
        allowed = C < pr.unserved
        m[a: a + rows] = mb = pr.cheapest[a: a + rows]
        lev[a: a + rows] = np.where(allowed, np.floor(np.maximum(C - mb[:, None], 0.0) / step),
                                    -1)
    return m, lev


def unique_rows(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First row of each distinct row of ``a`` and every row's class (rows compared as bytes:
    40 times faster than ``np.unique(axis=0)`` on 33,000 x 149 levels).

    Returns
    -------
    first : numpy.ndarray of int
    inverse : numpy.ndarray of int, shape (len(a),)
    """
    a = np.ascontiguousarray(a)
    rows = a.view(np.dtype((np.void, a.dtype.itemsize * a.shape[1])))[:, 0]
    _, first, inv = np.unique(rows, return_index=True, return_inverse=True)
    return first, inv.ravel()


def level_model(pr: Problem, step: float) -> LevelModel:
    """Patterns, explicit arcs and pools of the level relaxation (see :class:`LevelModel`).

    Parameters
    ----------
    pr : Problem
    step : float
        Cost units of one level (coverage: 1, one pupil beyond the threshold).
    """
    m, lev = cost_levels(pr, step)
    some = (lev >= 0).any(axis=1)
    first, inv = unique_rows(lev[some])
    rows = lev[some][first]
    n_q = len(rows)
    unserved = np.full(n_q, np.inf)
    np.minimum.at(unserved, inv, (pr.unserved - m)[some])
    top = rows.max(axis=1)
    pfirst, pool = unique_rows(np.c_[top, rows >= 0])
    arc_q, arc_j = np.nonzero((rows >= 0) & (rows < top[:, None]))
    pool_p, pool_j = np.nonzero(rows[pfirst] >= 0)
    return LevelModel(const=float(pr.w @ m), w=np.bincount(inv, pr.w[some], n_q),
                      unserved=unserved, top=step * top, pool=pool, arc_q=arc_q,
                      arc_j=arc_j, arc_cost=step * rows[arc_q, arc_j], pool_p=pool_p,
                      pool_j=pool_j)


def level_milp(pr: Problem, lm: LevelModel, link: np.ndarray | None = None
               ) -> highspy.HighsLp:
    """The level relaxation as a HiGHS MILP (objective offset: ``const - pr.constant``).

    Columns: ``y`` (n_c, binary), unserved ``z`` and pooled ``u`` shares (n_q each), explicit
    arcs ``x`` (shares), pool flows ``f`` (pupils). Rows: ``z_q + u_q + sum_j x_qj = 1``;
    per pool ``sum_j f_pj = sum_q w_q u_q``; capacity ``sum w_q x_qj + sum_p f_pj <= cap_j
    y_j``; the number of schools or the budget; strong linking ``x_qj <= y_j`` for the
    explicit arcs in ``link`` (mask; None: all). Linking rows left out only weaken the LP:
    with ``y`` binary the capacity rows link every arc.
    """
    n_c, n_q, n_x, n_f, n_p = pr.shape[1], len(lm.w), len(lm.arc_q), len(lm.pool_p), lm.n_pools
    oz, ou, ox, of = n_c, n_c + n_q, n_c + 2 * n_q, n_c + 2 * n_q + n_x
    q, x, f = np.arange(n_q), ox + np.arange(n_x), of + np.arange(n_f)
    cap = np.where(np.isfinite(pr.capacity), pr.capacity, pr.w.sum())
    r1, r2, r3 = n_q, n_q + n_p, n_q + n_p + n_c  # first pool, capacity, count row
    count = np.ones(n_c) if pr.p is not None else pr.annual_cost.astype(float)
    parts = [  # (rows, columns, values)
        (np.r_[q, q, lm.arc_q], np.r_[oz + q, ou + q, x], np.ones(2 * n_q + n_x)),
        (r1 + np.r_[lm.pool_p, lm.pool], np.r_[f, ou + q], np.r_[np.ones(n_f), -lm.w]),
        (r2 + np.r_[lm.arc_j, lm.pool_j, np.arange(n_c)], np.r_[x, f, np.arange(n_c)],
         np.r_[lm.w[lm.arc_q], np.ones(n_f), -cap]),
        (np.full(n_c, r3), np.arange(n_c), count),
    ]
    linked = np.arange(n_x) if link is None else np.flatnonzero(link)
    n_l = len(linked)
    parts.append((r3 + 1 + np.r_[np.arange(n_l), np.arange(n_l)], np.r_[x[linked],
                  lm.arc_j[linked]], np.r_[np.ones(n_l), -np.ones(n_l)]))
    n_rows = r3 + 1 + n_l
    A = sparse.csc_array((np.concatenate([v for *_, v in parts]),
                          (np.concatenate([r for r, *_ in parts]),
                           np.concatenate([c for _, c, _ in parts]))), shape=(n_rows, of + n_f))
    lo_n, hi_n = (float(pr.p), float(pr.p)) if pr.p is not None else (-INF, float(pr.budget))
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = of + n_f, n_rows
    lp.offset_ = lm.const - pr.constant
    lp.col_cost_ = np.r_[np.zeros(n_c), lm.w * lm.unserved, lm.w * lm.top,
                         lm.w[lm.arc_q] * lm.arc_cost, np.zeros(n_f)]
    lp.col_lower_ = np.r_[pr.fixed_open.astype(float), np.zeros(2 * n_q + n_x + n_f)]
    lp.col_upper_ = np.r_[np.where(pr.fixed_closed, 0.0, 1.0), np.ones(2 * n_q + n_x),
                          np.full(n_f, INF)]
    lp.row_lower_ = np.r_[np.ones(n_q), np.zeros(n_p), np.full(n_c, -INF), lo_n,
                          np.full(n_l, -INF)]
    lp.row_upper_ = np.r_[np.ones(n_q), np.zeros(n_p), np.zeros(n_c), hi_n, np.zeros(n_l)]
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = of + n_f, n_rows
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = A.indptr, A.indices, A.data
    lp.integrality_ = ([highspy.HighsVarType.kInteger] * n_c
                       + [highspy.HighsVarType.kContinuous] * (of + n_f - n_c))
    return lp


def _highs(model: highspy.HighsLp, *, seconds: float = INF, rel_gap: float | None = None,
           max_nodes: int | None = None) -> highspy.Highs:
    """A quiet one-thread HiGHS holding ``model`` with the given limits."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("time_limit", max(float(seconds), 1.0))
    if rel_gap is not None:
        h.setOptionValue("mip_rel_gap", float(rel_gap))
    if max_nodes is not None:
        h.setOptionValue("mip_max_nodes", int(max_nodes))
    h.passModel(model)
    return h


def level_lp(pr: Problem, lm: LevelModel, *, seconds: float = INF, max_rounds: int = 50,
             tol: float = 1e-7) -> tuple[float, np.ndarray | None, np.ndarray]:
    """The LP relaxation of the level MILP (``y`` continuous), linking rows added as the LP
    violates them (``x_qj > y_j``; warm-started dual simplex, presolve off).

    On Vidzeme p=60 the loop ends after 9 LPs with 2,534 of the 26,360 linking rows, in 2.4 s
    instead of 3.0 s for the whole LP, and the smaller model speeds the branch and bound that
    follows (p=40: 8 s instead of 10 s; p=60 fixed-``y`` network 1.7 s instead of 2.2 s).

    Returns
    -------
    bound : float
        The last LP's value plus ``pr.constant`` (a relaxation of the full LP, so a lower
        bound on the optimum of ``pr`` even when the loop stops early), ``-inf`` when no LP
        finished.
    y : numpy.ndarray, shape (n_c,), or None
        Its schools (fractional), None when no LP finished.
    link : numpy.ndarray of bool, shape (n_arcs,)
        The explicit arcs whose linking rows the LP holds (for :func:`level_milp`).
    """
    n_c, n_q, n_x = pr.shape[1], len(lm.w), len(lm.arc_q)
    link = np.zeros(n_x, bool)
    h = _highs(level_milp(pr, lm, link))
    h.setOptionValue("presolve", "off")  # 3.0 s instead of 4.2 s on Vidzeme (p=60)
    h.changeColsIntegrality(n_c, np.arange(n_c, dtype=np.int32),
                            np.full(n_c, highspy.HighsVarType.kContinuous))
    deadline = time.perf_counter() + seconds
    bound, y, ox = -np.inf, None, n_c + 2 * n_q
    for _ in range(max_rounds):
        h.setOptionValue("time_limit", max(deadline - time.perf_counter(), 0.5))
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            break
        col = np.asarray(h.getSolution().col_value)
        bound = float(h.getInfo().objective_function_value) + pr.constant
        y = col[:n_c]
        viol = np.flatnonzero(~link & (col[ox: ox + n_x] > y[lm.arc_j] + tol))
        if len(viol) == 0 or time.perf_counter() > deadline:
            break
        n = len(viol)
        h.addRows(n, np.full(n, -INF), np.zeros(n), 2 * n, (2 * np.arange(n)).astype(np.int32),
                  np.column_stack([ox + viol, lm.arc_j[viol]]).ravel().astype(np.int32),
                  np.tile([1.0, -1.0], n))
        link[viol] = True
    return bound, y, link


def fixed_network(pr: Problem, model: highspy.HighsLp, y: np.ndarray, *, seconds: float = INF,
                  max_nodes: int | None = None, tol: float = 1e-6
                  ) -> tuple[np.ndarray | None, np.ndarray | None]:
    """The level MILP with the LP's whole ``y`` fixed (open at 1, closed at 0): a branch and
    bound over the few fractional schools only (a relaxation-induced neighbourhood).

    Returns
    -------
    open : numpy.ndarray of bool or None
        Its best network (None: none found).
    solution : numpy.ndarray or None
        Every column of that solution (a start for :func:`solve_levels`).
    """
    n_c = pr.shape[1]
    h = _highs(model, seconds=seconds, rel_gap=1e-3, max_nodes=max_nodes)
    idx = np.flatnonzero((y <= tol) | (y >= 1 - tol)).astype(np.int32)
    val = np.where(y[idx] >= 1 - tol, 1.0, 0.0)
    lo, hi = np.asarray(model.col_lower_)[idx], np.asarray(model.col_upper_)[idx]
    h.changeColsBounds(len(idx), idx, np.clip(val, lo, hi), np.clip(val, lo, hi))
    h.run()
    sol = h.getSolution()
    if not sol.value_valid:
        return None, None
    col = np.asarray(sol.col_value)
    return col[:n_c] > 0.5, col


def solve_levels(pr: Problem, model: highspy.HighsLp, *, seconds: float = INF,
                 rel_gap: float = 1e-4, max_nodes: int | None = None,
                 start: np.ndarray | None = None) -> tuple[float, np.ndarray | None, int]:
    """Branch and bound (HiGHS, one thread) on the level MILP (:func:`level_milp`).

    Parameters
    ----------
    pr : Problem
    model : highspy.HighsLp
    seconds : float
        Wall-time limit.
    rel_gap : float
        Stop once HiGHS's own gap (relative to the objective above ``pr.constant``) is below.
    max_nodes : int, optional
        Node limit (deterministic).
    start : numpy.ndarray, optional
        A feasible solution (every column), e.g. from :func:`fixed_network`.

    Returns
    -------
    bound : float
        HiGHS's dual bound plus ``pr.constant``: a lower bound on the optimum of ``pr``
        (``-inf`` when it stopped before the root LP).
    open : numpy.ndarray of bool or None
        Its best network (None: none found).
    nodes : int
        Branch-and-bound nodes.
    """
    h = _highs(model, seconds=seconds, rel_gap=rel_gap, max_nodes=max_nodes)
    if start is not None:
        h.setSolution(len(start), np.arange(len(start), dtype=np.int32), start)
    h.run()
    info, sol = h.getInfo(), h.getSolution()
    bound = float(info.mip_dual_bound) + pr.constant
    if not np.isfinite(bound) or h.getModelStatus() == highspy.HighsModelStatus.kInfeasible:
        bound = -np.inf
    net = np.asarray(sol.col_value)[: pr.shape[1]] > 0.5 if sol.value_valid else None
    return bound, net, int(info.mip_node_count)


# ------------------------------------------------------------------------------------------
# The certified solve
# ------------------------------------------------------------------------------------------
def initial_arcs(pr: Problem, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Each group's ``k`` cheapest allowed schools (cheaper than leaving it unserved)."""
    n_g, n_c = pr.shape
    C = np.where(pr.fixed_closed[None, :], np.inf, pr.cost)
    k = max(1, min(k, n_c))
    part = np.argpartition(C, k - 1, axis=1)[:, :k] if k < n_c else np.tile(np.arange(n_c),
                                                                          (n_g, 1))
    g = np.repeat(np.arange(n_g), k)
    j = part.ravel()
    ok = C[g, j] < pr.unserved
    return g[ok], j[ok]


def heavy_groups(w: np.ndarray, share: float) -> np.ndarray:
    """The heaviest groups that together hold ``share`` of the pupils (mask)."""
    o = np.argsort(-w, kind="stable")
    n = int(np.searchsorted(np.cumsum(w[o]) / w.sum(), share)) + 1
    mask = np.zeros(len(w), bool)
    mask[o[:n]] = True
    return mask


def round_network(pr: Problem, y: np.ndarray, tie: np.ndarray) -> np.ndarray:
    """A feasible network from fractional ``y``: largest ``y`` first (ties: smaller ``tie``),
    the ``p`` first, or as many as the budget allows."""
    y = np.where(pr.fixed_open, 2.0, np.where(pr.fixed_closed, -1.0, y))
    order = np.lexsort((tie, -y))
    order = order[~pr.fixed_closed[order]]
    out = np.zeros(len(y), bool)
    if pr.p is not None:
        out[order[: pr.p]] = True
        return out
    left = pr.budget
    for j in order:
        if pr.annual_cost[j] <= left + 1e-9 and (y[j] > 1e-9 or pr.fixed_open[j]):
            out[j] = True
            left -= pr.annual_cost[j]
    return out


def _lp_rounds(pr: Problem, lp: SparseLP, deadline: float, max_rounds: int):
    """Cut and price until the LP is the full strong LP (or time runs out); yields the
    state after every LP solve: (round, objective, y, lambda, complete)."""
    for rnd in range(max_rounds):
        obj, y, x, lam, pi = lp.solve(seconds=deadline - time.perf_counter())
        if lp.stopped_early:  # time is up inside this LP: its duals still give a bound,
            yield rnd + 1, obj, None, lam, False  # its primal values nothing
            return
        viol = lp.violated(x, y)
        g_new, j_new = lp.priced(lam, pi)
        complete = len(viol) == 0 and len(g_new) == 0
        yield rnd + 1, obj, y, lam, complete
        if complete or time.perf_counter() > deadline:
            return
        lp.link(viol)
        lp.add_arcs(g_new, j_new, link=True)


def solve_certified(  # noqa: PLR0913  keyword-only options of a public entry point
    pr: Problem,
    evaluate: Callable[[np.ndarray], float],
    *,
    time_limit_s: float = 60.0,
    k: int = 5,
    link_share: float = 0.2,
    target_gap: float = 0.01,
    max_rounds: int = 40,
    deterministic: bool = False,
    milp_nodes: int = 200,
    scale_pairs: int = SCALE_PAIRS,
    ascent_steps: tuple[int, int] = (150, 600),
    scale_k: int = 25,
    level_share: float = 0.75,
) -> Certificate:
    """Best network found and a proven lower bound (see the module docstring).

    Parameters
    ----------
    pr : Problem
    evaluate : callable(open mask) -> float or (float, numpy.ndarray)
        Exact objective of a network (the full capacity-constrained assignment), optionally
        with the assignment's capacity prices per candidate school (cost per pupil, the
        duals of the capacity rows, NaN where unknown: ``Assignment.prices``), which let
        step 4 bound networks near it without assigning them (:mod:`geo.planning.duals`).
        Called from a second thread when the limits are wall time (never two at once).
    time_limit_s : float, default 60
        Soft wall-time limit (seconds) of the whole solve; the LP rounds run until 75 % of it
        (each LP is stopped at that point); branch and bound only when the time left is at
        least three LP rounds (its root LP alone costs one).
    k : int, default 5
        Arcs per group in the first LP.
    link_share : float, default 0.2
        The heaviest groups holding this share of the pupils get linking rows at once.
    target_gap : float, default 0.01
        Stop improving once the proven gap is below this.
    max_rounds : int, default 40
        Cut and pricing rounds at most.
    deterministic : bool, default False
        Limit the work by counts only (at most 10 LP rounds, ``milp_nodes`` branch and
        bound nodes, 30 subgradient steps), not by wall time, so that the result does not
        depend on the machine's load (sweeps: serial and Dask runs then agree). The time
        limit is then not enforced.
    milp_nodes : int, default 200
        Branch-and-bound node limit when ``deterministic``.
    scale_pairs : int, default SCALE_PAIRS
        Above this many group x school pairs: no LP, the Lagrangian is maximised directly
        (module docstring, step 4).
    ascent_steps : (int, int), default (150, 600)
        Region scale: subgradient steps of the first phase (no incumbent yet) and of the
        second (towards the incumbent); each phase also ends at 25 % / 55 % of
        ``time_limit_s`` (not when ``deterministic``) or once the target gap is proven.
    scale_k : int, default 25
        Region scale: arcs kept per group (:class:`ArcLagrangian`).
    level_share : float, default 0.75
        With ``pr.cost_step``: share of ``time_limit_s`` the level relaxation's branch and
        bound may take (step 0; ``milp_nodes`` nodes when ``deterministic``); the other
        paths run in the time left when it does not prove ``target_gap``.

    Returns
    -------
    Certificate
    """
    t0 = time.perf_counter()
    pr = budget_as_count(pr)
    deadline = np.inf if deterministic else t0 + time_limit_s
    cert = Certificate(open=np.zeros(pr.shape[1], bool), value=np.inf,
                       bound=capacity_bound(pr), gap=np.inf)
    if pr.cost_step is not None:
        cert.path = "levels"
        _solve_levels(pr, evaluate, cert, deadline=t0 + level_share * (deadline - t0),
                      target_gap=target_gap, max_nodes=milp_nodes if deterministic else None)
        if cert.gap <= target_gap:
            cert.seconds["total"] = time.perf_counter() - t0
            return cert
    t1 = time.perf_counter()  # the other paths share the time left
    if pr.cost.size > scale_pairs and short_of_room(pr):
        cert.path = "room" if cert.path == "lp" else "levels+room"
        _solve_short_of_room(pr, evaluate, cert, t0=t1, deadline=deadline,
                             target_gap=target_gap, steps=sum(ascent_steps))
    elif pr.cost.size > scale_pairs:
        cert.path = "lagrangian" if cert.path == "lp" else "levels+lagrangian"
        _solve_at_scale(pr, evaluate, cert, t0=t1, deadline=deadline, target_gap=target_gap,
                        steps=ascent_steps, k=scale_k)
    else:
        cert.path = "lp" if cert.path == "lp" else "levels+lp"
        _solve_lp_path(pr, evaluate, cert, t0=t1, deadline=deadline, target_gap=target_gap,
                       k=k, link_share=link_share, deterministic=deterministic,
                       max_rounds=min(max_rounds, 10) if deterministic else max_rounds,
                       milp_nodes=milp_nodes)
    cert.seconds["total"] = time.perf_counter() - t0
    return cert


def budget_as_count(pr: Problem) -> Problem:
    """A budget over schools of one running cost is a number of schools.

    When every school free to open or close costs the same ``a`` a year, the networks
    within the budget are those of at most ``p`` schools (the fixed-open ones plus
    ``floor(left / a)``), and opening a school never raises the cost of the assignment, so
    the optimum has exactly ``p`` schools and every bound of the ``p`` problem bounds the
    budget's. Then the ``p`` problem is solved (with the room paths of steps 4 and 5, which
    need ``p``); otherwise ``pr`` is returned as it is."""
    if pr.budget is None:
        return pr
    free = ~pr.fixed_open & ~pr.fixed_closed
    fixed = pr.fixed_open & ~pr.fixed_closed
    a = pr.annual_cost[free]
    if len(a) == 0 or np.ptp(a) > 1e-9 * max(float(np.abs(a).max()), 1.0):
        return pr
    left = float(pr.budget) - float(pr.annual_cost[fixed].sum())
    k = len(a) if a[0] <= 0 else int(np.floor(left / a[0] + 1e-9))
    return replace(pr, p=int(fixed.sum()) + min(max(k, 0), len(a)), budget=None)


def capacity_bound(pr: Problem) -> float:
    """A lower bound from capacities alone, for ``p`` networks that cannot hold every pupil.

    At most the ``p`` largest allowed capacities (the schools that must stay open among
    them) can be filled; every served pupil costs at least its cheapest allowed cost and
    every other one the unserved cost, so the bound serves the pupils of the cheapest
    cheapest costs up to that room (with a budget: the most room it can buy,
    :func:`_largest_room`). ``-inf`` (no information) with unlimited capacities or room for
    everybody. Without it the subgradient ascent barely lifts the
    multipliers towards the unserved cost (Vidzeme p = 30: bound 759,446 against a network
    of 71.3 million)."""
    if pr.p is None and pr.budget is None:
        return -np.inf
    room = _largest_room(pr)
    if not np.isfinite(room) or room >= pr.w.sum():
        return -np.inf
    return _least_cost_at_room(pr)(room)


def _least_cost_at_room(pr: Problem) -> Callable[[float], float]:
    """``R ->`` the least cost of serving at most ``R`` pupils: the pupils of the cheapest
    cheapest costs served at them, the others at the unserved cost (decreasing in ``R``)."""
    order = np.argsort(pr.cheapest, kind="stable")
    w, gain = pr.w[order], pr.unserved - pr.cheapest[order]
    before, total = np.cumsum(w) - w, pr.unserved * pr.w.sum()
    return lambda room: float(total - np.dot(np.clip(room - before, 0.0, w), gain))


def tight_room(pr: Problem) -> bool:
    """Whether the ``p`` largest allowed capacities hold every pupil with less than
    :data:`TIGHT_ROOM` of them to spare (step 4 then starts from a coarse LP, module
    docstring)."""
    if pr.p is None or not np.isfinite(pr.capacity[~pr.fixed_closed]).all():
        return False
    spare = (_largest_room(pr) - pr.w.sum()) / max(pr.w.sum(), 1e-12)
    return 0.0 <= spare < TIGHT_ROOM


def coarse_groups(pr: Problem, *, nearest: int = 2, minutes: float = 6.0) -> np.ndarray:
    """Each group's coarse group: groups merge when they have the same allowed schools, the
    same ``nearest`` cheapest schools in the same order and their cheapest cost in the same
    ``minutes`` bin (Vidzeme: 33,354 groups become 4,739)."""
    n_g, n_c = pr.shape
    nearest = max(1, min(nearest, n_c))
    rows = max(1, _BLOCK // max(n_c, 1))
    keys = []
    for a in range(0, n_g, rows):
        C = np.where(pr.fixed_closed[None, :], pr.unserved, pr.cost[a: a + rows])
        near = np.argsort(C, axis=1, kind="stable")[:, :nearest]
        low = np.floor(np.take_along_axis(C, near[:, :1], 1) / minutes)
        keys.append(np.c_[near.astype(np.int64), low.astype(np.int64),
                          np.packbits(C < pr.unserved, axis=1).astype(np.int64)])
    return unique_rows(np.concatenate(keys))[1] if keys else np.zeros(0, np.int64)


def coarse_problem(pr: Problem, group: np.ndarray | None = None
                   ) -> tuple[Problem, np.ndarray]:
    """The instance with similar groups merged (a restriction: every coarse solution is one
    of ``pr`` at the same cost): a coarse group's weight is the sum, its cost per school the
    weighted mean.

    Parameters
    ----------
    pr : Problem
    group : numpy.ndarray of int, optional
        Each group's coarse group; default :func:`coarse_groups`.

    Returns
    -------
    coarse : Problem
    group : numpy.ndarray of int, shape (n_g,)
        Each group's coarse group.
    """
    group = coarse_groups(pr) if group is None else group
    n_g = pr.shape[0]
    n = int(group.max()) + 1 if n_g else 0
    S = sparse.csr_array((pr.w, (group, np.arange(n_g))), shape=(n, n_g))
    w = S.sum(axis=1)
    cost = np.minimum((S @ pr.cost) / np.maximum(w, 1e-300)[:, None], pr.unserved)
    return Problem(cost=cost, w=w, unserved=pr.unserved, capacity=pr.capacity,
                   annual_cost=pr.annual_cost, fixed_open=pr.fixed_open,
                   fixed_closed=pr.fixed_closed, p=pr.p, budget=pr.budget), group


def price_multipliers(pr: Problem, pi: np.ndarray) -> list[np.ndarray]:
    """Multipliers per pupil from prices of a place at each school: each group's cheapest
    and second-cheapest allowed ``c_gj + pi_j`` (capped at the unserved cost); both are
    tried as the ascent's start (any multipliers give a valid bound)."""
    n_g, n_c = pr.shape
    rows = max(1, _BLOCK // max(n_c, 1))
    first, second = np.empty(n_g), np.empty(n_g)
    for a in range(0, n_g, rows):
        C = pr.cost[a: a + rows]
        r = np.where(pr.fixed_closed[None, :] | (C >= pr.unserved), np.inf, C + pi[None, :])
        two = np.partition(r, 1, axis=1)[:, :2] if n_c > 1 else np.c_[r, np.full(len(r), np.inf)]
        first[a: a + rows], second[a: a + rows] = two.min(axis=1), two.max(axis=1)
    return [np.minimum(m, pr.unserved) for m in (second, first)]


@dataclass
class CoarseStart:
    """Step 4 with tight room: the coarse LP (:func:`coarse_problem`) and what it gives."""

    mu: np.ndarray  # multipliers of the fine problem (:func:`price_multipliers`, the best)
    bound: float  # L at mu
    y: np.ndarray | None  # the coarse LP's schools (None: time ran out inside its first LP)
    lp: SparseLP
    seconds: float


def coarse_start(pr: Problem, lag: ArcLagrangian, *, group: np.ndarray, deadline: float,
                 max_rounds: int = 40) -> CoarseStart:
    """Solve the LP of the coarse instance (``group``: :func:`coarse_groups`; steps 1-3's
    sparse LP, until ``deadline``) and turn its capacity prices into multipliers of
    ``pr``."""
    t = time.perf_counter()
    cp, _ = coarse_problem(pr, group)
    lp = SparseLP(cp, *initial_arcs(cp, 5))
    lp.link(np.flatnonzero(heavy_groups(cp.w, 0.2)[lp.g]))
    y_c = None
    for _, _, y, _, _ in _lp_rounds(cp, lp, deadline, max_rounds):
        y_c = y if y is not None else y_c
    pi = lp.solve(seconds=max(deadline - time.perf_counter(), 0.5))[4]
    mu, bound = max(((mu, lag(mu)[0]) for mu in price_multipliers(pr, np.maximum(pi, 0.0))),
                    key=lambda t: t[1])
    return CoarseStart(mu=mu, bound=bound, y=y_c, lp=lp,
                       seconds=time.perf_counter() - t)


def coarse_network(pr: Problem, cs: CoarseStart, *, seconds: float,
                   bounds: tuple[np.ndarray, np.ndarray] | None = None,
                   max_nodes: int | None = None) -> np.ndarray | None:
    """The coarse model's branch and bound (HiGHS, ``seconds`` and ``max_nodes`` at most),
    the schools within ``bounds`` (lo, hi; default: the coarse LP's integral schools
    fixed): a network for the fine instance."""
    if cs.y is None or seconds <= 0.5:
        return None
    n_c = pr.shape[1]
    lo, hi = bounds if bounds is not None else (np.where(cs.y > 1 - 1e-6, 1.0, 0.0),
                                                np.where(cs.y < 1e-6, 0.0, 1.0))
    lo = np.maximum(lo, pr.fixed_open)
    hi = np.minimum(hi, ~pr.fixed_closed)
    cs.lp.h.changeColsBounds(n_c, np.arange(n_c, dtype=np.int32), lo, hi.astype(float))
    return cs.lp.solve_milp(min(seconds, INF), max_nodes=max_nodes)


def _solve_lp_path(  # noqa: PLR0913  the options of solve_certified
    pr: Problem, evaluate, cert: Certificate, *, t0: float, deadline: float,
    target_gap: float, k: int, link_share: float, deterministic: bool, max_rounds: int,
    milp_nodes: int,
) -> Certificate:
    """Sparse LP rounds, Lagrangian bound, rounded and branch-and-bound candidates (steps
    1-3 of the module docstring)."""
    lp = SparseLP(pr, *initial_arcs(pr, k))
    lp.link(np.flatnonzero(heavy_groups(pr.w, link_share)[lp.g]))
    y_lp = y_lag = mu_best = None
    lag_best = -np.inf
    for rnd, obj, y, lam, complete in _lp_rounds(pr, lp, t0 + 0.75 * (deadline - t0), max_rounds):
        mu = lam / pr.w
        bound, yl, _ = lagrangian(pr, mu)
        if bound > lag_best:
            lag_best, mu_best, y_lag = bound, mu, yl
        cert.bound = max(cert.bound, bound)
        cert.rounds = rnd
        if y is not None:
            cert.lp_value, cert.lp_complete, y_lp = obj, complete, y
    if cert.lp_complete:  # the full strong LP: its value is a bound too
        cert.bound = max(cert.bound, cert.lp_value)
    cert.seconds["lp"] = time.perf_counter() - t0
    v, _ = school_knapsacks(pr, np.minimum(mu_best, pr.unserved))
    if y_lp is not None:  # None: time ran out inside the first LP
        consider(cert, pr, evaluate, "lp-round", round_network(pr, y_lp, v))
    if y_lp is None or (cert.gap > target_gap and time.perf_counter() < deadline):
        consider(cert, pr, evaluate, "lagrangian", round_network(pr, y_lag, v))
    per_round = cert.seconds["lp"] / max(cert.rounds, 1)
    if cert.gap > target_gap and time.perf_counter() < deadline - max(2.0, 3 * per_round):
        t1 = time.perf_counter()
        ym = lp.solve_milp(min(deadline - time.perf_counter() - 2, INF),
                           max_nodes=milp_nodes if deterministic else None)
        cert.seconds["milp"] = time.perf_counter() - t1
        if ym is not None:
            consider(cert, pr, evaluate, "milp", ym)
    if cert.gap > target_gap and time.perf_counter() < deadline:
        b, _ = polish_bound(pr, mu_best, cert.value, deadline=deadline)
        if b > cert.bound:
            cert.bound = b
            _set_gap(cert, pr)
    cert.n_arcs, cert.n_links = len(lp.g), int(lp.linked.sum())
    return cert


def _solve_at_scale(pr: Problem, evaluate, cert: Certificate, *, t0: float, deadline: float,
                    target_gap: float, steps: tuple[int, int], k: int) -> Certificate:
    """Region scale: subgradient ascent of the Lagrangian, candidates rounded from the average
    ``y`` of the steps, evaluated exactly (see the module docstring, step 4)."""
    with Candidates(cert, pr, evaluate, background=np.isfinite(deadline)) as cands:
        return _ascend_at_scale(pr, cands, t0=t0, deadline=deadline, target_gap=target_gap,
                                steps=steps, k=k)


def _ascend_at_scale(pr: Problem, cands: Candidates, *, t0: float, deadline: float,
                     target_gap: float, steps: tuple[int, int], k: int) -> Certificate:
    """:func:`_solve_at_scale` with its candidates (``cands``)."""
    cert = cands.cert
    evaluated = cert.seconds.get("evaluate", 0.0)  # by step 0, before the ascent
    span = deadline - t0
    lag, st, warm, steps = _ascent_start(pr, cands, t0=t0, span=span, k=k, steps=steps)

    def candidate(name: str, y: np.ndarray | None) -> None:
        if y is None:  # no step yet (the time went to the level relaxation)
            return
        net = (room_network(pr, y, max(lag.room, float(pr.w.sum())))  # room for every pupil
               if lag.room > 0 or warm is not None else round_network(pr, y, st.v_best))
        cands.add(name, net, wait=True)

    ends = (0.25, 0.55)  # of the time limit; the exact evaluations follow
    half_sum, half_n, pending = None, 0, None
    for phase, n in enumerate(steps):
        start = ends[phase - 1] if phase else 0.0
        # average y over the second half of each phase only; keep its last quarter apart
        for part, (share, until) in enumerate(((0.5, 0.5), (0.25, 0.75), (0.25, 1.0))):
            if part == 0:
                st.y_sum, st.y_n = None, 0
            elif part == 2:
                half_sum, half_n = (None, 0) if st.y_n == 0 else (st.y_sum.copy(), st.y_n)
            cands.fold()  # the tight start's networks, evaluated meanwhile
            aim = phase > 0 or warm is not None  # towards the incumbent once there is one
            ascend(lag, st, target=cert.value if aim and np.isfinite(cert.value) else None,
                   steps=int(round(share * n)), deadline=t0 + (start + until * (
                       ends[phase] - start)) * span,
                   stop_at=(cert.value + target_gap * pr.constant) / (1 + target_gap))
            if part == 0:
                st.y_sum, st.y_n = None, 0
        cands.fold(wait=True)
        cert.bound = max(cert.bound, min(st.bound, cert.value))
        _set_gap(cert, pr)
        if cert.gap <= target_gap:
            break
        candidate(f"lagrangian-mean-{phase}", st.y_mean)
        _check_rooms(pr, cands, first=phase == 0)
        _repaired(pr, lag, st, cert, candidate, first=phase == 0, target_gap=target_gap)
        if cert.gap <= target_gap:
            break
        lag.room = _room_cut(pr, lag, st, cert)
        if warm is not None and phase == 0:
            pending = _early_milp(pr, cands, warm, st, until=t0 + 0.85 * span,
                                  target_gap=target_gap)
    last = st.y_n - half_n
    if cert.gap > target_gap and last > 0 and half_sum is not None:
        candidate("lagrangian-last", (st.y_sum - half_sum) / last)
    if warm is not None:
        _tight_finish(pr, cands, warm, st, pending, until=(t0 + 0.85 * span, deadline),
                      target_gap=target_gap)
    else:
        _room_stage(pr, lag, st, cert, candidate, until=(t0 + 0.7 * span, t0 + 0.85 * span),
                    steps=steps[1], target_gap=target_gap)
    if not np.isfinite(cert.value) and st.steps == 0:  # never leave without a network
        ascend(lag, st, target=None, steps=1)
    if cert.gap > target_gap and (warm is None or not np.isfinite(cert.value)):
        candidate("lagrangian", st.y_best)  # tight room: the coarse networks are better
    cands.fold(wait=True)
    cert.seconds["lagrangian"] = (time.perf_counter() - t0
                                  - (cert.seconds.get("evaluate", 0.0) - evaluated))
    cert.rounds, cert.n_arcs = st.steps, len(lag.g)
    return cert


def _ascent_start(pr: Problem, cands: Candidates, *, t0: float, span: float, k: int,
                  steps: tuple[int, int]):
    """Step 4's Lagrangian, first multipliers and steps: each group's ``k`` cheapest schools
    from the second-cheapest cost, or with tight room (:func:`tight_room`) every arc from
    the coarse LP's prices, at most :data:`TIGHT_STEPS` steps (each costs ~8 times more,
    and starts near the top). Returns (lag, ascent, the coarse start or None, steps)."""
    warm = _tight_start(pr, cands, deadline=t0 + COARSE_SHARE * span,
                        milp_until=t0 + 2 * COARSE_SHARE * span) if tight_room(pr) else None
    if warm is None:
        lag = ArcLagrangian(pr, k)
        return lag, Ascent(mu=lag.start(1)), None, steps
    lag, st, cs = warm
    return lag, st, cs, tuple(min(n, m) for n, m in zip(steps, TIGHT_STEPS, strict=True))


def _tight_start(pr: Problem, cands: Candidates, *, deadline: float, milp_until: float
                 ) -> tuple[ArcLagrangian, Ascent, CoarseStart] | None:
    """Step 4 with tight room (:func:`tight_room`): the coarse LP's prices as the ascent's
    start on every arc, its schools (with room for every pupil) and the coarse branch and
    bound's network as candidates (evaluated while the branch and bound and the ascent
    run, :class:`Candidates`). None when the coarse instance has more than
    :data:`SCALE_PAIRS` pairs (checked before the arcs of every pair are built)."""
    group = coarse_groups(pr)
    if (int(group.max(initial=-1)) + 1) * pr.shape[1] > SCALE_PAIRS:
        return None
    lag = ArcLagrangian(pr, pr.shape[1], screen=True)  # multipliers far above the k-th cost
    counted = not np.isfinite(deadline)  # deterministic: rounds and nodes counted instead
    cs = coarse_start(pr, lag, group=group, deadline=deadline,
                      max_rounds=10 if counted else 40)
    cands.cert.bound = max(cands.cert.bound, cs.bound)
    cands.cert.seconds["coarse"] = cs.seconds
    cands.add("coarse-lp", None if cs.y is None else room_network(pr, cs.y, float(pr.w.sum())))
    cands.add("coarse-milp", coarse_network(pr, cs, seconds=milp_until - time.perf_counter(),
                                            max_nodes=200 if counted else None))
    return lag, Ascent(mu=cs.mu), cs


@dataclass
class Decided:
    """What :func:`decided_schools` proved at the best multipliers: every network cheaper
    than ``incumbent`` has ``lo <= y <= hi`` and at least ``room`` places; ``listed``: the
    networks left with a Lagrangian bound below it (:func:`cheap_networks`, None: too
    many)."""

    lo: np.ndarray
    hi: np.ndarray
    room: float
    incumbent: float
    listed: tuple[np.ndarray, np.ndarray] | None = None


def _decide(pr: Problem, cert: Certificate, st: Ascent, *, until: float,
            listing: bool = False) -> Decided:
    """Lagrangian fixing at the ascent's best multipliers (:func:`decided_schools`, tested
    until ``until``); with ``listing``, also the networks it leaves below the incumbent
    (:func:`cheap_networks`; the branch and bound alone needs only the fixing)."""
    base, room = float(pr.w @ st.best_mu), room_floor(pr, cert.value)
    lo, hi = decided_schools(pr, st.v_best, base, room=room, incumbent=cert.value,
                             chosen=st.y_best, deadline=until)
    listed = cheap_networks(pr, st.v_best, base, lo=lo, hi=hi, room=room,
                            below=cert.value) if listing else None
    return Decided(lo=lo, hi=hi, room=room, incumbent=cert.value, listed=listed)


@dataclass
class _Aside:
    """The coarse branch and bound running aside (:meth:`Candidates.aside`)."""

    future: Future
    lp: SparseLP

    def done(self) -> bool:
        return self.future.done()

    def result(self) -> np.ndarray | None:
        return self.future.result()

    def cancel(self) -> None:
        """Stop it (within a second or two) and wait; a stopped model is not solved again."""
        if not self.future.done():
            self.lp.cancel()
        self.future.result()


def _fixed_coarse_milp(pr: Problem, cands: Candidates, cs: CoarseStart, decided: Decided, *,
                       until: float) -> _Aside:
    """The coarse branch and bound over the schools Lagrangian fixing left free
    (``decided``), until ``until`` (200 nodes when it is infinite), aside while the ascent or
    the evaluations go on."""
    counted = not np.isfinite(until)
    return _Aside(cands.aside(lambda: coarse_network(
        pr, cs, seconds=until - time.perf_counter(), bounds=(decided.lo, decided.hi),
        max_nodes=200 if counted else None)), cs.lp)


def _early_milp(pr: Problem, cands: Candidates, cs: CoarseStart, st: Ascent, *,
                until: float, target_gap: float) -> _Aside | None:
    """Step 4 with tight room and wall-time limits, after the ascent's first phase: the
    coarse branch and bound at that phase's fixing, aside while the second phase runs
    (None: the gap is proven, the limits are counts or no time is left)."""
    cert = cands.cert
    if (cert.gap <= target_gap or st.best_mu is None or cands.side is None
            or time.perf_counter() >= until):
        return None
    return _fixed_coarse_milp(pr, cands, cs, _decide(pr, cert, st, until=until), until=until)


def _tight_finish(pr: Problem, cands: Candidates, cs: CoarseStart, st: Ascent,
                  pending: _Aside | None, *, until: tuple[float, float], target_gap: float
                  ) -> None:
    """Step 4 with tight room, after the ascent: when the gap is still open, Lagrangian
    fixing at the best multipliers (:func:`_decide`), then every network it leaves whose
    Lagrangian bound is below the incumbent (:func:`cheap_networks`) taken in increasing
    bound (:func:`_evaluate_listed`), and the coarse branch and bound's network (``pending``,
    else started now, until ``until[0]``) as soon as it is found; else the branch and bound
    is stopped.

    The optimum is at least the smaller of the best value, the bounds of the networks set
    aside, and the next untaken network's bound: a network not listed costs at least the
    incumbent of the fixing (all listed taken: the best network is optimal).
    """
    cert = cands.cert
    if cert.gap <= target_gap or st.best_mu is None or time.perf_counter() >= until[1]:
        if pending is not None:
            pending.cancel()
        return
    decided = _decide(pr, cert, st, until=until[1], listing=True)
    if pending is None and time.perf_counter() < until[0]:
        pending = _fixed_coarse_milp(pr, cands, cs, decided, until=until[0])
    _evaluate_listed(pr, cands, decided, pending, until=until[1], target_gap=target_gap)


def _evaluate_listed(pr: Problem, cands: Candidates, decided: Decided, pending: _Aside | None,
                     *, until: float, target_gap: float) -> None:
    """:func:`_tight_finish`: take the listed networks in order of their Lagrangian bound;
    one whose dual bound (:meth:`Candidates.dual_bound`, from the prices of the evaluated
    network nearest to it) proves the target gap is set aside, any other is evaluated
    exactly (at most :data:`ENUM_EVALS` when ``until`` is infinite); the branch and bound's
    network (``pending``) as soon as it is found, or the branch and bound stopped once the
    target gap is proven. Then raise the certificate's bound."""
    cert, listed = cands.cert, decided.listed
    bounds, nets = listed if listed is not None else (np.zeros(0), None)
    most = ENUM_EVALS if not np.isfinite(until) else len(bounds)
    need = lambda: (cert.value + target_gap * pr.constant) / (1 + target_gap)  # noqa: E731
    i, exact, aside = 0, 0, np.inf  # aside: the least bound of the networks set aside

    def finished() -> bool:
        return (i >= len(bounds) or exact >= most or time.perf_counter() >= until
                or bounds[i] >= need())

    def floor() -> float:
        rest = bounds[i] if i < len(bounds) else decided.incumbent
        return min(rest, aside, cert.value) if listed is not None else -np.inf

    while True:
        if pending is not None and finished() and _gap(cert.value, floor(), pr) <= target_gap:
            pending.cancel()
            pending = None
        elif pending is not None and (pending.done() or finished()):
            cands.add("coarse-milp-decided", pending.result(), wait=True)
            pending = None
        elif finished():
            break
        else:
            bound = max(bounds[i], cands.dual_bound(nets[i], need=need()))
            if bound >= need():
                aside = min(aside, bound)
            else:
                cands.add(f"enumerated-{i}", nets[i], wait=True)
                exact += 1
            i += 1
    if listed is not None and _gap(cert.value, floor(), pr) <= target_gap:
        firmer = target_gap / 2  # a margin, from dual bounds alone
        i, aside = _set_aside_more(cands, listed, i, aside, stop=min(
            until, time.perf_counter() + MARGIN[0]), goal=lambda: (
                cert.value + firmer * pr.constant) / (1 + firmer))
    cert.bound = max(cert.bound, floor())
    _set_gap(cert, pr)
    cert.n_listed, cert.n_aside = len(bounds), i - exact


def _set_aside_more(cands: Candidates, listed: tuple[np.ndarray, np.ndarray], i: int,
                    aside: float, *, stop: float, goal: Callable[[], float]
                    ) -> tuple[int, float]:
    """Once the target gap is proven: set aside more listed networks, from ``i`` on, while
    the next one's Lagrangian bound is below ``goal()`` and its dual bound reaches it (no
    exact evaluation), until ``stop`` (wall clock) or :data:`MARGIN` networks. Returns the
    next untaken network and the least set-aside bound; the certificate's bound can only
    rise (every network set aside here has a bound above the next one's before)."""
    bounds, nets = listed
    for _ in range(MARGIN[1]):
        if i >= len(bounds) or bounds[i] >= goal() or time.perf_counter() >= stop:
            break
        bound = max(bounds[i], cands.dual_bound(nets[i], need=goal()))
        if bound < goal():
            break
        aside, i = min(aside, bound), i + 1
    return i, aside


def room_choice_bound(pr: Problem, v: np.ndarray, room: float, lo: np.ndarray,
                      hi: np.ndarray, *, seconds: float = 10.0) -> float:
    """A lower bound of ``min v y`` over the networks of ``p`` schools with ``lo <= y <=
    hi`` and room at least ``room`` (HiGHS's dual bound of this small MILP, stopped after
    ``seconds``; ``inf`` when no such network exists)."""
    n = len(v)
    res = milp(v, integrality=np.ones(n), bounds=Bounds(lo, hi),
               constraints=[LinearConstraint(np.ones((1, n)), pr.p, pr.p),
                            LinearConstraint(pr.capacity[None, :], room, np.inf)],
               options={"mip_rel_gap": 1e-9, "time_limit": max(float(seconds), 0.1)})
    if res.status == 2:  # infeasible
        return np.inf
    bound = getattr(res, "mip_dual_bound", None)
    return float(bound) if bound is not None and np.isfinite(bound) else -np.inf


def decided_schools(pr: Problem, v: np.ndarray, base: float, *, room: float,
                    incumbent: float, chosen: np.ndarray, deadline: float = np.inf
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Lagrangian reduced-cost fixing: the bounds ``lo <= y <= hi`` every network cheaper
    than ``incumbent`` satisfies.

    ``base + min v y`` (``base = w mu``, ``v`` the knapsack values at ``mu``) bounds the cost
    of every network with room at least ``room`` from below, so when forcing school ``j``
    against the Lagrangian's choice (``chosen``) raises that bound to the incumbent, every
    cheaper network agrees with the choice on ``j`` (and networks with less room cost more
    than the incumbent, :func:`room_floor`). Vidzeme p = 55: 128 of 149 schools decided.
    Schools not tested by ``deadline`` (wall clock) stay free.
    """
    lo = pr.fixed_open.astype(float)
    hi = (~pr.fixed_closed).astype(float)
    for j in np.flatnonzero(~pr.fixed_open & ~pr.fixed_closed):
        a, b = lo.copy(), hi.copy()
        on = chosen[j] > 0.5
        if on:
            b[j] = 0.0
        else:
            a[j] = 1.0
        left = deadline - time.perf_counter()
        if left <= 0:
            break
        if base + room_choice_bound(pr, v, room, a, b, seconds=min(left, 10.0)) >= incumbent:
            (lo if on else hi)[j] = 1.0 if on else 0.0
    return lo, hi


def cheap_networks(pr: Problem, v: np.ndarray, base: float, *, lo: np.ndarray,
                   hi: np.ndarray, room: float, below: float, limit: int = ENUM_LIMIT
                   ) -> tuple[np.ndarray, np.ndarray] | None:
    """Every network whose Lagrangian bound ``base + v y`` is below ``below``: ``p`` schools
    within ``lo <= y <= hi`` (:func:`decided_schools`) and room at least ``room``.

    A depth-first search over the free schools in increasing ``v``, pruned where the
    cheapest completion reaches ``below`` or the largest completion lacks the room.

    Returns
    -------
    bounds : numpy.ndarray, shape (n,)
        ``base + v y`` of each network, ascending.
    networks : numpy.ndarray of bool, shape (n, n_c)
    None when there are more than ``limit`` such networks (or the search visits more than
    ``10 * limit`` nodes), or without ``p``.
    """
    if pr.p is None:
        return None
    on = lo > 0.5
    free = np.flatnonzero(~on & (hi > 0.5))
    free = free[np.argsort(v[free], kind="stable")]
    k, m = pr.p - int(on.sum()), len(free)
    if k < 0 or k > m:  # no network within the bounds
        return np.zeros(0), np.zeros((0, len(v)), bool)
    budget = below - base - float(v[on].sum())
    need = room - float(pr.capacity[on].sum())
    vf, cf = v[free], pr.capacity[free]
    cheapest = np.r_[0.0, np.cumsum(vf)]  # vf sorted: the c cheapest from i are i..i+c-1
    largest = np.zeros((m + 1, k + 1))  # the c largest capacities among i..m-1
    for i in range(m):
        top = np.sort(cf[i:])[::-1][:k]
        largest[i, 1: len(top) + 1] = np.cumsum(top)
    found: list[tuple[float, tuple]] = []
    visits = 0

    def search(i: int, chosen: tuple, spent: float, held: float) -> bool:
        nonlocal visits
        c = k - len(chosen)
        if c == 0:
            if held >= need and spent < budget:
                found.append((spent, chosen))
            return len(found) <= limit
        for s in range(i, m - c + 1):
            visits += 1
            if visits > 10 * limit:
                return False
            if spent + cheapest[s + c] - cheapest[s] >= budget:
                break  # later starts only cost more
            if held + largest[s, c] < need:
                break  # later starts have less room
            if not search(s + 1, (*chosen, s), spent + vf[s], held + cf[s]):
                return False
        return True

    if not search(0, (), 0.0, 0.0):
        return None
    found.sort(key=lambda t: t[0])
    nets = np.zeros((len(found), len(v)), bool)
    nets[:, on] = True
    for r, (_, chosen) in enumerate(found):
        nets[r, free[list(chosen)]] = True
    return base + float(v[on].sum()) + np.array([s for s, _ in found]), nets


def _repaired(pr: Problem, lag: ArcLagrangian, st: Ascent, cert: Certificate, candidate, *,
              first: bool, target_gap: float) -> None:
    """Step 4's first average choice repaired to hold every pupil (:func:`room_network`),
    a candidate when its rounding left pupils out (the largest rooms were tried)."""
    if not first or cert.gap <= target_gap or "largest-rooms" not in cert.candidates:
        return
    lag.room = float(pr.w.sum())
    candidate("lagrangian-rooms", st.y_mean)
    lag.room = 0.0


def _room_stage(pr: Problem, lag: ArcLagrangian, st: Ascent, cert: Certificate, candidate, *,
                until: tuple[float, float], steps: int, target_gap: float) -> None:
    """With the room cut binding and before ``until[0]``: ascend on until ``until[1]``,
    then the average choice with the floor's room (``lagrangian-room-mean``)."""
    if cert.gap <= target_gap or lag.room <= 0 or time.perf_counter() >= until[0]:
        return
    st.y_sum, st.y_n = None, 0
    ascend(lag, st, target=cert.value, steps=steps, deadline=until[1],
           stop_at=(cert.value + target_gap * pr.constant) / (1 + target_gap))
    cert.bound = max(cert.bound, min(st.bound, cert.value))
    _set_gap(cert, pr)
    if cert.gap > target_gap and st.y_n > 0:
        candidate("lagrangian-room-mean", st.y_mean)


def _room_cut(pr: Problem, lag: ArcLagrangian, st: Ascent, cert: Certificate) -> float:
    """The room floor (:func:`room_floor`) of the incumbent when the Lagrangian's best
    choice of schools lacks that room (the cut binds), else the current one (0: none)."""
    floor = room_floor(pr, cert.value)
    binds = st.y_best is not None and pr.capacity @ st.y_best < floor
    return max(floor, lag.room) if floor > 0 and (binds or lag.room > 0) else lag.room


def _check_rooms(pr: Problem, cands: Candidates, *, first: bool) -> None:
    """Step 4 with ``p``: after the first rounding, when it lies more than
    :data:`ROOM_CHECK` of the pupils' unserved cost above the bound (the rounding may leave
    pupils out for want of room), evaluate :func:`largest_rooms` too."""
    cert = cands.cert
    if not first or pr.p is None or not np.isfinite(cert.value) or (
            cert.value - cert.bound <= ROOM_CHECK * pr.unserved * pr.w.sum()):
        return
    cands.add("largest-rooms", largest_rooms(pr), wait=True)


def largest_rooms(pr: Problem) -> np.ndarray:
    """The Lagrangian's network at ``mu = U`` on every arc (step 5's first candidate): the
    ``p`` schools of the most negative full knapsacks, ``-U cap_j`` plus the minutes of
    their nearest pupils (the largest rooms, nearest pupils breaking ties)."""
    lag = ArcLagrangian(pr, pr.shape[1], screen=True)
    _, y, v, _ = lag(lag.ceil)
    return round_network(pr, y, v)


def short_of_room(pr: Problem) -> bool:
    """Whether the ``p`` largest allowed capacities cannot hold every pupil (some pupils
    stay unserved in every network: :func:`capacity_bound` is finite)."""
    return bool(np.isfinite(capacity_bound(pr)))


def _largest_room(pr: Problem) -> float:
    """Places in the ``p`` largest allowed schools (the fixed-open ones kept); with a budget,
    an upper bound of the places any network within it holds (the fixed-open schools, then
    the most places per euro first, the last one in part: the knapsack's LP bound)."""
    allowed = ~pr.fixed_closed
    fixed = pr.fixed_open & allowed
    free = allowed & ~fixed
    if pr.p is not None:
        rest = np.sort(pr.capacity[free])[::-1]
        return float(pr.capacity[fixed].sum() + rest[: max(pr.p - int(fixed.sum()), 0)].sum())
    cap, cost = pr.capacity[free], pr.annual_cost[free]
    left = float(pr.budget) - float(pr.annual_cost[fixed].sum())
    room = float(pr.capacity[fixed].sum() + cap[cost <= 0].sum())
    order = np.argsort(-cap[cost > 0] / cost[cost > 0], kind="stable")
    cap, cost = cap[cost > 0][order], cost[cost > 0][order]
    spent = np.cumsum(cost)
    whole = int(np.searchsorted(spent, left, side="right"))
    room += float(cap[:whole].sum())
    if whole < len(cap):
        room += cap[whole] * max(left - (spent[whole - 1] if whole else 0.0), 0.0) / cost[whole]
    return room


def _shortfall(pr: Problem) -> float:
    """Share of the pupils the ``p`` largest allowed capacities (fixed ones kept) cannot
    hold (0 when they hold everyone)."""
    return float(max(pr.w.sum() - _largest_room(pr), 0.0) / max(pr.w.sum(), 1e-12))


def _solve_short_of_room(pr: Problem, evaluate, cert: Certificate, *, t0: float,
                         deadline: float, target_gap: float, steps: int,
                         ends: tuple[float, ...] = (0.25, 0.5, 0.7, 0.85)) -> Certificate:
    """Region scale, pupils beyond the room (module docstring, step 5): the Lagrangian on
    every allowed arc (multipliers up to the unserved cost), ascended from ``mu = U``; its
    first choice of schools and the rounded average choice of each stage are evaluated
    exactly.

    Parameters
    ----------
    steps : int
        Subgradient steps at most (split evenly over the stages).
    ends : tuple of float
        Each stage ends at this share of ``deadline - t0`` (seconds), or once the target gap
        is proven; the exact evaluations follow it.
    """
    lag = ArcLagrangian(pr, pr.shape[1], screen=True)  # every arc: ceil = U, nothing clipped
    st = Ascent(mu=lag.ceil.copy(), theta=3.0 if _shortfall(pr) < SHORT_STEP else 1.0)
    cands = Candidates(cert, pr, evaluate)  # evaluated at once
    evaluated = cert.seconds.get("evaluate", 0.0)

    def candidate(name: str, y: np.ndarray) -> None:
        cands.add(name, round_network(pr, y, st.v_best))

    def proven() -> bool:
        cert.bound = max(cert.bound, st.bound)
        _set_gap(cert, pr)
        return cert.gap <= target_gap

    ascend(lag, st, target=None, steps=1)  # L(U): the largest rooms, nearest pupils first
    if not proven():
        candidate("room", st.y_best)
    span, per = deadline - t0, max((steps - 1) // len(ends), 1)
    for stage, end in enumerate(ends):
        if proven():
            break
        st.y_sum, st.y_n = None, 0
        ascend(lag, st, target=cert.value, steps=per, deadline=t0 + end * span,
               stop_at=(cert.value + target_gap * pr.constant) / (1 + target_gap))
        if not proven() and st.y_n > 0:
            candidate(f"room-mean-{stage}", st.y_mean)
    if not proven():
        candidate("room-best", st.y_best)
    cert.seconds["lagrangian"] = (time.perf_counter() - t0
                                  - (cert.seconds.get("evaluate", 0.0) - evaluated))
    cert.rounds, cert.n_arcs = st.steps, len(lag.g)
    return cert


def _solve_levels(pr: Problem, evaluate, cert: Certificate, *, deadline: float,
                  target_gap: float, max_nodes: int | None) -> Certificate:
    """The level relaxation (module docstring, step 0): its LP bound, the network of its
    MILP with the LP's integral schools fixed, then its branch and bound from that network
    (dual bound, best network); the networks evaluated exactly."""
    t = time.perf_counter()
    lm = level_model(pr, pr.cost_step)
    left = lambda: deadline - time.perf_counter()  # noqa: E731
    bound, y, link = level_lp(pr, lm, seconds=left())
    model = level_milp(pr, lm, link)
    cert.n_arcs, cert.n_links = len(lm.arc_q) + len(lm.pool_p), int(link.sum())
    cert.bound = max(cert.bound, bound)
    start = None
    if y is not None and left() > 0:
        net, start = fixed_network(pr, model, y, seconds=left(), max_nodes=max_nodes)
        if net is not None:
            consider(cert, pr, evaluate, "levels-fixed", net)
    if cert.gap > target_gap and left() > 0:
        bound, net, cert.rounds = solve_levels(pr, model, seconds=left(),
                                               rel_gap=target_gap / 2, max_nodes=max_nodes,
                                               start=start)
        cert.bound = max(cert.bound, bound)
        if net is not None and (start is None or not np.array_equal(net, start[: len(net)]
                                                                     > 0.5)):
            consider(cert, pr, evaluate, "levels", net)
    cert.seconds["levels"] = time.perf_counter() - t - cert.seconds.get("evaluate", 0.0)
    _set_gap(cert, pr)
    return cert


def _set_gap(cert: Certificate, pr: Problem) -> None:
    cert.gap = _gap(cert.value, cert.bound, pr)


def _gap(value: float, bound: float, pr: Problem) -> float:
    """``(value - bound) / (bound - constant)``, at least 0 (inf: no positive bound)."""
    den = bound - pr.constant
    gap = (value - bound) / den if den > 0 else (0.0 if value <= bound + 1e-9 else np.inf)
    return max(gap, 0.0)


class Candidates:
    """Candidate networks, each evaluated exactly once (:func:`consider`).

    With ``background`` the evaluations run in a second thread (the exact assignment, HiGHS
    and numpy's array work release the GIL, so the ascent or a branch and bound goes on
    meanwhile on the other core) and reach the certificate when :meth:`fold` collects them,
    in the order they were added; without it (counted limits, deterministic) each is
    evaluated at once. Use as a context manager: leaving it folds every evaluation.
    """

    def __init__(self, cert: Certificate, pr: Problem, evaluate, *, background: bool = False
                 ) -> None:
        self.cert, self.pr, self.evaluate = cert, pr, evaluate
        self.tried: list[np.ndarray] = []
        self.priced: list[tuple[np.ndarray, np.ndarray]] = []  # (network, its prices)
        self.pending: list[tuple[str, np.ndarray, Future]] = []
        self.pool = ThreadPoolExecutor(max_workers=1) if background else None
        self.side = ThreadPoolExecutor(max_workers=1) if background else None

    def __enter__(self) -> Candidates:
        return self

    def __exit__(self, kind, *_) -> None:
        if kind is None:
            self.fold(wait=True)
        for pool in (self.pool, self.side):
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)

    def aside(self, work: Callable[[], object]) -> Future:
        """Run ``work`` in a third thread (with ``background``), else at once; its future."""
        if self.side is not None:
            return self.side.submit(work)
        done: Future = Future()
        done.set_result(work())
        return done

    def add(self, name: str, net: np.ndarray | None, *, wait: bool = False) -> None:
        """Evaluate ``net`` unless it is None or was added before (``wait``: fold it, and
        every earlier one, before returning)."""
        if net is None or any(np.array_equal(net, o) for o in self.tried):
            return
        self.tried.append(net)
        if self.pool is None:
            self._keep(name, net, *_timed(self.evaluate, net))
            return
        self.pending.append((name, net, self.pool.submit(_timed, self.evaluate, net)))
        if wait:
            self.fold(wait=True)

    def fold(self, *, wait: bool = False) -> None:
        """Record the finished evaluations (``wait``: all of them, waiting)."""
        while self.pending and (wait or self.pending[0][2].done()):
            name, net, done = self.pending.pop(0)
            self._keep(name, net, *done.result())

    def _keep(self, name: str, net: np.ndarray, val: float, prices: np.ndarray | None,
              seconds: float) -> None:
        _record(self.cert, self.pr, name, net, val, seconds)
        if prices is not None:
            self.priced.append((net, prices))

    def dual_bound(self, net: np.ndarray, *, need: float = np.inf) -> float:
        """A lower bound of ``net``'s exact value (:func:`geo.planning.duals.dual_bound`)
        from the prices of the evaluated network sharing most of its schools (``-inf``
        when none has prices)."""
        if not self.priced:
            return -np.inf
        near, prices = max(self.priced, key=lambda t: int((t[0] & net).sum()))
        pr = self.pr
        return dual_bound(pr.cost, pr.w, pr.capacity, pr.unserved, net,
                          np.where(near, prices, np.nan), need=need)


def consider(cert: Certificate, pr: Problem, evaluate, name: str, open_c: np.ndarray) -> None:
    """Evaluate a candidate network exactly; keep it when it is the best so far."""
    val, _, seconds = _timed(evaluate, open_c)
    _record(cert, pr, name, open_c, val, seconds)


def _timed(evaluate, open_c: np.ndarray) -> tuple[float, np.ndarray | None, float]:
    """A network's exact value, its capacity prices (None when ``evaluate`` gives none) and
    the seconds it took."""
    t = time.perf_counter()
    out = evaluate(open_c)
    val, prices = out if isinstance(out, tuple) else (out, None)
    return float(val), prices, time.perf_counter() - t


def _record(cert: Certificate, pr: Problem, name: str, open_c: np.ndarray, val: float,
            seconds: float) -> None:
    """Keep an evaluated network when it is the best so far."""
    cert.seconds["evaluate"] = cert.seconds.get("evaluate", 0.0) + seconds
    cert.candidates[name] = val
    if val < cert.value:
        cert.open, cert.value = open_c.copy(), val
    _set_gap(cert, pr)
