-- reversals: money the bank could not pay becomes unpaid again.
-- Grain: one row per earlier ledger entry carried by a bank line reported failed this month.
--   amount_fen         minus the reversed entry's amount
--   reverses_entry_id  the entry whose money came back
--   source_file/row    the bank return line that reported the failure
with
failed_lines as (
    select batch_id, line_no, source_file, source_row
    from bank_returns
    where result = 'failed'
),

final as (
    select
        l.id_number, l.township_code, l.period, l.component,
        'reversal' as kind,
        'bank_failed' as reason,
        -l.amount_fen as amount_fen,
        l.bank_code, l.account_number,
        f.source_file, f.source_row,
        l.entry_id as reverses_entry_id
    from prior_ledger as l
    join failed_lines as f using (batch_id, line_no)
)

select * from final order by id_number, period, component, reverses_entry_id
