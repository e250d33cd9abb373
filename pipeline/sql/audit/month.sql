-- The run's self-audit of one month (pipeline/audit/check.py `month_invariant_checks`): loaded
-- after views.sql, with the *_files variables narrowed to the run month's files (its ledger
-- partition, due, holds, bank control files, status) and to the balances of the month and the
-- month before. Net paid then comes from the month's carried balances, which invariant 8 proves
-- equal to the month before's plus the month's entries: no view reads the earlier partitions.

-- net_by_person_period: as in views.sql, from the run month's balances (links followed).
create or replace view net_by_person_period as
select coalesce(l.new_id_number, b.id_number) as id_number, b.period, b.component,
       sum(b.net_fen)::bigint as net_fen, yuan(sum(b.net_fen)) as net_yuan, null::bigint as entries
from read_parquet(getvariable('balances_files')) as b
left join id_links as l on b.id_number = l.old_id_number
where b.run_month = (select max(run_month) from months)
group by coalesce(l.new_id_number, b.id_number), b.period, b.component;

-- paid_after_death: as in views.sql, over that net; the dead people's rows are picked before
-- summing (the month's balances hold every period so far: 3.2 M rows in December at 124k people).
create or replace view paid_after_death as
with
dead as (
    select id_number, strftime(death_date, '%Y-%m') as death_month from deaths_in_force
),
net_after_death as (
    select d.id_number, b.period, b.component, sum(b.net_fen)::bigint as net_fen
    from read_parquet(getvariable('balances_files')) as b
    left join id_links as l on b.id_number = l.old_id_number
    join dead as d on coalesce(l.new_id_number, b.id_number) = d.id_number and b.period > d.death_month
    where b.run_month = (select max(run_month) from months)
        and b.component not in ('funeral_grant', 'account_refund')
    group by all
)
select n.id_number, n.period, n.component, n.net_fen, yuan(n.net_fen) as net_yuan, null::bigint as entries,
       d.death_month
from net_after_death as n
join dead as d using (id_number)
where n.net_fen > 0;

-- award_balances: as in views.sql, for the awards of the run month only (an earlier award was
-- checked by its own month's audit): the balance at award from the account balances the month
-- before carried (invariant 9 proves them the entries' sums) and the month's credits.
create or replace view award_balances as
with
awards as (
    select * from read_parquet(getvariable('awards_files'))
    where run_month = (select max(run_month) from months) and award_month = run_month
),
parts as (
    select b.id_number, b.net_fen as amount_fen
    from read_parquet(getvariable('account_balances_files')) as b
    where b.run_month < (select max(run_month) from months)
    union all
    select e.id_number, e.amount_fen
    from read_parquet(getvariable('account_entries_files')) as e
    where e.component in ('opening', 'contribution', 'subsidy', 'interest')
),
held as (
    select coalesce(l.new_id_number, p.id_number) as id_number, sum(p.amount_fen)::bigint as amount_fen
    from parts as p
    left join id_links as l on p.id_number = l.old_id_number
    group by all
)
select a.id_number, a.award_month, a.basis, a.balance_at_award_fen, a.divisor, a.account_pension_fen,
       coalesce(h.amount_fen, 0)::bigint as entries_balance_fen
from awards as a
left join held as h using (id_number);

-- balances_unequal: as in views.sql (invariant 8), for the run month: its carried balances must be
-- the month before's plus its entries. Summed and joined whole, that is two 3.2M-row tables in a
-- December at 124k people (4 s). So the keys the month's entries touched are summed and compared
-- row by row; every other key must be carried unchanged, which is compared by checksums of its
-- rows in 4096 buckets of keys, and only the rows of a bucket whose checksums differ are joined.
create or replace view balances_unequal as
with
run as (
    select max(run_month) as run_month,
           strftime(strptime(max(run_month), '%Y-%m') - interval 1 month, '%Y-%m') as month_before
    from months
),
carried as (
    -- is_now: carried by the run month, else by the month before
    select b.run_month = (select run_month from run) as is_now, b.id_number, b.period, b.component,
           b.net_fen, b.owed_fen
    from read_parquet(getvariable('balances_files')) as b
    where b.run_month in ((select run_month from run), (select month_before from run))
),
entries as (
    select id_number, period, component, amount_fen as net_fen,
           case when settlement = 'owed' then amount_fen else 0 end as owed_fen
    from read_parquet(getvariable('ledger_files'), hive_partitioning = false)
    where run_month = (select run_month from run)
),
touched as (
    select distinct id_number, period, component from entries
),
touched_carried as (
    select * from carried semi join touched using (id_number, period, component)
),
touched_sums as (
    select id_number, period, component, sum(net_fen)::bigint as net_fen, sum(owed_fen)::bigint as owed_fen
    from (select id_number, period, component, net_fen, owed_fen from touched_carried where not is_now
          union all
          select * from entries)
    group by all
),
touched_unequal as (
    select id_number, period, component, c.net_fen as carried_net_fen, s.net_fen as ledger_net_fen,
           c.owed_fen as carried_owed_fen, s.owed_fen as ledger_owed_fen
    from (select * from touched_carried where is_now) as c
    full outer join touched_sums as s using (id_number, period, component)
    where c.net_fen is distinct from s.net_fen or c.owed_fen is distinct from s.owed_fen
),
untouched as (
    select *, hash(id_number, period, component) % 4096 as bucket
    from carried anti join touched using (id_number, period, component)
),
changed_buckets as (
    select bucket
    from (select bucket, is_now, hash(id_number, period, component, net_fen, owed_fen)::hugeint as row_hash
          from untouched)
    group by bucket
    having count(*) filter (where is_now) <> count(*) filter (where not is_now)
        or sum(row_hash) filter (where is_now) is distinct from sum(row_hash) filter (where not is_now)
),
untouched_unequal as (
    select id_number, period, component, c.net_fen as carried_net_fen, b.net_fen as ledger_net_fen,
           c.owed_fen as carried_owed_fen, b.owed_fen as ledger_owed_fen
    from (select * from untouched where is_now and bucket in (select bucket from changed_buckets)) as c
    full outer join (select * from untouched where not is_now and bucket in (select bucket from changed_buckets)) as b
        using (id_number, period, component)
    where c.net_fen is distinct from b.net_fen or c.owed_fen is distinct from b.owed_fen
)
select (select run_month from run) as run_month, * from touched_unequal
union all
select (select run_month from run) as run_month, * from untouched_unequal;
