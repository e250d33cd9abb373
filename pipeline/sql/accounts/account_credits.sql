-- account_credits: the month's credits to the personal accounts (SPEC §5a), booked before the
-- money step so that an award this month counts them (the balance at award).
-- Grain: one row per person per component per key (contribution year, interest year) with money.
-- Inputs: params (run_month, opening_month, interest_rate: the run year's rate as decimal text,
-- null unless the run month is a December), opening_balances (accepted this month: the opening
-- month only), contributions (accepted rows of every year read), contribution_years (the years
-- whose file was read), account_balances_before (the account balances the month before carried,
-- or the earlier entries summed: accounts/account_sums), id_links (old -> new ID).
-- A corrected ID is the new ID here, as in the money step: the account is the person's, so an old
-- ID's entries count as the new ID's, a row still filed under the old ID credits the new one, and
-- the year's interest is one entry per person on everything they held on 1 January.
--   component  opening | contribution | subsidy | interest
--   period     opening: the as-of month; a first credit: the month of paid_on; a correcting
--              entry: the run month (the account changes from then on); interest: the run month
--   year       contribution, subsidy: the contribution's year; interest: the year it is for
--   amount_fen signed fen: a credit > 0; a correcting entry the difference (either sign)
with
opening as (
    select coalesce(l.new_id_number, o.id_number) as id_number, o.as_of_month as period,
           'opening' as component, o.balance_fen as amount_fen, null::bigint as year,
           o.source_file, o.source_row
    from opening_balances as o
    left join id_links as l on o.id_number = l.old_id_number
    where o.balance_fen > 0
),

balances_before as (
    select b.* replace (coalesce(l.new_id_number, b.id_number) as id_number)
    from account_balances_before as b
    left join id_links as l on b.id_number = l.old_id_number
),

credited_by_files as (
    -- what the contribution files say the accounts hold by the end of this run: credits paid from
    -- the opening month (earlier ones are in the opening balance) up to the run month
    select coalesce(l.new_id_number, c.id_number) as id_number, c.year, u.component,
           strftime(c.paid_on, '%Y-%m') as paid_month, u.amount_fen, c.source_file, c.source_row
    from contributions as c
    left join id_links as l on c.id_number = l.old_id_number
    cross join params
    cross join lateral (
        select 'contribution' as component, c.personal_fen as amount_fen
        union all
        select 'subsidy', c.subsidy_fen
    ) as u
    where strftime(c.paid_on, '%Y-%m') between params.opening_month and params.run_month
),

wanted as (
    -- a contribution is a person's payment of a year: two rows of one year are summed
    select id_number, year, component, sum(amount_fen)::bigint as wanted_fen,
           min(paid_month) as paid_month, min(source_file) as source_file,
           min(source_row) as source_row
    from credited_by_files
    group by id_number, year, component
),

credited_before as (
    select id_number, year, component, sum(net_fen)::bigint as credited_fen
    from balances_before
    where component in ('contribution', 'subsidy')
        and year in (select year from contribution_years)
    group by id_number, year, component
),

credit_changes as (
    -- a first credit in the month of paid_on; a corrected or withdrawn row, the difference now
    select
        coalesce(w.id_number, b.id_number) as id_number,
        case when b.id_number is null then w.paid_month else params.run_month end as period,
        coalesce(w.component, b.component) as component,
        coalesce(w.wanted_fen, 0) - coalesce(b.credited_fen, 0) as amount_fen,
        coalesce(w.year, b.year) as year,
        w.source_file, w.source_row
    from wanted as w
    full outer join credited_before as b using (id_number, year, component)
    cross join params
    where coalesce(w.wanted_fen, 0) <> coalesce(b.credited_fen, 0)
),

held_on_1_january as (
    -- the balance held on 1 January of the run year: the opening balance (held on 1 January of
    -- the opening year) and every entry of an earlier period, this run's late credits included.
    -- Balances carried from an earlier year are all held by then (every period is before it).
    select id_number, sum(amount_fen)::bigint as balance_fen
    from (
        select b.id_number,
               case when left(b.run_month, 4) < left(params.run_month, 4) then b.net_fen
                    else b.held_on_1_january_fen end as amount_fen
        from balances_before as b
        cross join params
        union all
        select id_number, amount_fen from opening
        union all
        select c.id_number, c.amount_fen from credit_changes as c
        cross join params
        where c.period < left(params.run_month, 4) || '-01'
    )
    group by id_number
),

interest as (
    -- once a year, at the December close, half up to the fen in exact decimals; an exhausted
    -- account (0 or below) or a refunded one earns none
    select h.id_number, params.run_month as period, 'interest' as component,
           round(h.balance_fen::decimal(18, 0) * params.interest_rate::decimal(18, 8), 0)::bigint
               as amount_fen,
           left(params.run_month, 4)::bigint as year,
           null as source_file, null::bigint as source_row
    from held_on_1_january as h
    cross join params
    where params.interest_rate is not null and h.balance_fen > 0
        -- an account paid out (at death, on leaving) is closed: it earns nothing more
        and h.id_number not in (
            select id_number from balances_before where component = 'refund' and net_fen <> 0
        )
),

new_entries as (
    select * from opening
    union all by name select * from credit_changes
    union all by name select * from interest where amount_fen > 0
),

final as (
    select id_number, period, component, amount_fen::bigint as amount_fen, year::bigint as year,
           source_file, source_row::bigint as source_row
    from new_entries
)

select * from final order by id_number, component, year, period
