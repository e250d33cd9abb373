-- positions: what to do about every gap between due and paid.
-- Grain: one row per person per period per component whose due differs from what was paid (judged
-- in paid's scope: every other key was left no gap by the month before).
--   due_fen      what the rules say is owed (due_in_force)
--   paid_fen     net of all earlier entries and this month's reversals
--   gap_fen      due - paid: > 0 to pay (or hold), < 0 to recover (or hold)
--   hold_reason  why a gap is not paid or recovered this month (null when it is): a negative gap
--                is held only for a person on no roster with no registered death (not_on_roster:
--                a pending recovery, booked once they are back on a roster or a death is registered)
--   action       payment | recovery | hold
-- Unordered: a row for every key in scope; only the few read out (holds, grants) are sorted.
with
unsettled_death_conflicts as (
    -- conflicting registrations with no accepted registration of a later day: who died when is
    -- unknown, so nothing is paid until one registration stands
    select c.id_number
    from death_conflicts as c
    left join deaths_in_force as d using (id_number)
    group by c.id_number
    having max(c.registered_on) >= coalesce(max(d.registered_on), max(c.registered_on))
),

due_in_scope as (
    -- the same scope as paid's: outside it due and net are the month before's, with no gap
    select * from due_in_force
    where component in ('funeral_grant', 'account_refund')
        or id_number in (select id_number from recomputed_people)
        or period in (select period from repriced_periods)
),

joined as (
    select
        coalesce(d.id_number, p.id_number) as id_number,
        coalesce(d.period, p.period) as period,
        coalesce(d.component, p.component) as component,
        coalesce(d.due_fen, 0) as due_fen,
        coalesce(p.paid_fen, 0) as paid_fen
    from due_in_scope as d
    full outer join paid as p using (id_number, period, component)
    where coalesce(d.due_fen, 0) <> coalesce(p.paid_fen, 0)
),

with_context as (
    select
        j.*,
        j.due_fen - j.paid_fen as gap_fen,
        people.township_code, people.presence, people.status, people.suspended_from,
        people.employee_pension_from, people.bank_code, people.account_number,
        people.source_file as roster_file, people.source_row as roster_row,
        strftime(deaths.death_date, '%Y-%m') as death_month,
        deaths.payee_status, deaths.payee_bank_code, deaths.payee_account_number,
        deaths.source_file as death_file, deaths.source_row as death_row
    from joined as j
    left join people using (id_number)
    left join deaths_in_force as deaths using (id_number)
),

with_holds as (
    select
        w.*,
        case
            when gap_fen < 0 and presence = 'absent' and death_month is null then 'not_on_roster'
            when gap_fen <= 0 then null
            when conflicted.id_number is not null then 'death_conflict'
            -- the grant and a dead person's account refund go to the heirs on one funeral line
            when on_funeral_line(component, death_month) and payee_status <> 'complete' then 'awaiting_payee'
            when on_funeral_line(component, death_month) and refused_payee.id_number is not null
                then 'bank_account_rejected'
            when on_funeral_line(component, death_month) then null
            when presence = 'rejected' then 'row_rejected'
            when presence = 'absent' then 'not_on_roster'
            when status = 'suspended' and period >= suspended_from then 'suspended'
            when w.bank_code is null or w.account_number is null then 'no_bank_account'
            when refused_account.id_number is not null then 'bank_account_rejected'
        end as hold_reason
    from with_context as w
    left join unsettled_death_conflicts as conflicted using (id_number)
    left join failed_accounts as refused_account
        on refused_account.line_type = 'pension' and refused_account.id_number = w.id_number
        and refused_account.account_number = w.account_number
    left join failed_accounts as refused_payee
        on refused_payee.line_type = 'funeral' and refused_payee.id_number = w.id_number
        and refused_payee.account_number = w.payee_account_number
),

final as (
    select
        *,
        case
            when hold_reason is not null then 'hold'
            when gap_fen > 0 then 'payment'
            else 'recovery'
        end as action,
        case
            when gap_fen > 0 and period = (select run_month from params) then 'current'
            when gap_fen > 0 then 'arrears'
            when gap_fen < 0 and death_month is not null and period > death_month then 'after_death'
            when gap_fen < 0 and employee_pension_from is not null and period >= employee_pension_from
                then 'after_employee_pension'
            when gap_fen < 0 then 'correction'
        end as reason
    from with_holds
)

select * from final
