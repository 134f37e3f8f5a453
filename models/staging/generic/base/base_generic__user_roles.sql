{{ base_user_roles('generic') }}
