{{ base_user_roles('salesforce') }}
