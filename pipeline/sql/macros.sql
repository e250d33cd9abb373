-- Formulas the money steps and the auditors' views share, written once (loaded before either).

-- month_at_age(birth_date, years): the month ('YYYY-MM') in which a person born on birth_date turns
-- `years` old (the month pension age or the 65+ top-up begins).
create or replace macro month_at_age(birth_date, years) as strftime(birth_date + to_years(years), '%Y-%m');

-- registration_rank(...): 1 for the death registration of an ID that counts: a later registration
-- corrects an earlier one (latest registered_on, then run month, file, row).
create or replace macro registration_rank(id_number, registered_on, run_month, source_file, source_row) as
row_number() over (partition by id_number
                   order by registered_on desc, run_month desc, source_file desc, source_row desc);
