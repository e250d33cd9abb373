-- ledger: the month's entries as appended to the Parquet ledger (the auditors' source of truth).
-- Grain: one row per ledger entry.
--   run_month       the month whose run wrote the entry
--   entry_id        stable id: the same inputs give the same id
--   batch_id/line_no the bank file line that carries the money (null: no bank line)
--   source_file/row the input row the entry comes from (roster, death registration, bank return)
with
numbered as (
    select
        e.*,
        l.batch_id,
        l.line_no
    from entries as e
    left join bank_lines as l
        on l.line_type = e.line_type and l.bank_code = e.bank_code
        and l.account_number = e.account_number and l.id_number = e.id_number
),

final as (
    select
        (select run_month from params) as run_month,
        substr(md5(concat_ws('|', (select run_month from params), id_number, period, component,
                             kind, reason, settlement, coalesce(reverses_entry_id, ''))), 1, 20)
            as entry_id,
        id_number, township_code, period, component, kind, reason, settlement,
        cast(amount_fen as bigint) as amount_fen,
        bank_code, account_number, batch_id, cast(line_no as bigint) as line_no,
        source_file, cast(source_row as bigint) as source_row, reverses_entry_id
    from numbered
)

select * from final order by id_number, period, component, kind, settlement, entry_id
