-- bank_lines: what each bank is asked to pay this month.
-- Grain: one row per payee per batch (a person's components and months summed).
--   batch_id   <run month>-<bank>-<PENSION|FUNERAL>
--   line_no    1.. within the batch, by township then ID (stable for identical inputs)
--   amount_fen the line's total: payments, less any recovery set off against a funeral grant
with
carried as (
    select line_type, bank_code, account_number, id_number, township_code, amount_fen
    from entries
    where line_type is not null
),

per_payee as (
    select line_type, bank_code, account_number, id_number,
           any_value(township_code) as township_code, sum(amount_fen)::bigint as amount_fen
    from carried
    group by line_type, bank_code, account_number, id_number
),

final as (
    select
        (select run_month from params) || '-' || bank_code || '-' || upper(line_type) as batch_id,
        row_number() over (partition by line_type, bank_code order by township_code, id_number)
            as line_no,
        line_type, bank_code, account_number, id_number, township_code, amount_fen
    from per_payee
    where amount_fen > 0
)

select * from final order by batch_id, line_no
